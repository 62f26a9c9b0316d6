import type * as z from 'zod';
import type { DiagnosticSink } from '../diagnostics/sink.js';
import type { DocPath, JsonValue, Matrix } from '../ir.js';
import type { matrix } from '../language/blocks.js';
import type { NormalizeContext } from './context.js';

type Item = Readonly<Record<string, JsonValue>>;
type RawMatrix = z.output<typeof matrix>;

/** Static matrices beyond this many items are a mistake more often than a plan. */
const MAX_STATIC_ITEMS = 10_000;

function matches(item: Item, pattern: Item, keys: ReadonlyArray<string>): boolean {
  return keys.every((key) => !(key in pattern) || item[key] === pattern[key]);
}

function cartesian(values: Readonly<Record<string, ReadonlyArray<JsonValue>>>): Item[] {
  let items: Item[] = [{}];
  for (const [key, list] of Object.entries(values)) {
    items = items.flatMap((item) => list.map((value) => ({ ...item, [key]: value })));
    if (items.length > MAX_STATIC_ITEMS) break;
  }
  return items;
}

/**
 * Expands a static matrix as GitHub Actions does: the product of `values`, minus the items that
 * match an `exclude` entry, then each `include` entry extends the items it matches on the
 * original keys, or is added as an item of its own when it matches none.
 */
function expand(raw: RawMatrix, path: DocPath, sink: DiagnosticSink): { keys: string[]; items: Item[] } {
  const values = raw.values ?? {};
  const axes = Object.keys(values);
  for (const [key, list] of Object.entries(values)) {
    if (list.length === 0)
      sink.error('WF1208', [...path, 'values', key], `matrix key "${key}" has no values`);
  }
  let items = axes.length === 0 ? [] : cartesian(values);
  (raw.exclude ?? []).forEach((pattern, i) => {
    const unknown = Object.keys(pattern).filter((key) => !axes.includes(key));
    for (const key of unknown) {
      sink.error(
        'WF1208',
        [...path, 'exclude', i, key],
        `matrix exclude uses key "${key}", which is not in matrix.values`,
        {
          target: 'key',
        },
      );
    }
    items = items.filter((item) => !matches(item, pattern, Object.keys(pattern)));
  });
  for (const entry of raw.include ?? []) {
    const onAxes = Object.keys(entry).filter((key) => axes.includes(key));
    const hit = items.some((item) => onAxes.length > 0 && matches(item, entry, onAxes));
    items = hit
      ? items.map((item) => (matches(item, entry, onAxes) ? { ...item, ...entry } : item))
      : [...items, entry];
  }
  const keys = [...new Set(items.flatMap((item) => Object.keys(item)))];
  return { keys, items };
}

/** Normalises `matrix`: a static expansion, or a dynamic `fromJson` template. */
export function normalizeMatrix(
  raw: RawMatrix | undefined,
  path: DocPath,
  ctx: NormalizeContext,
): Matrix | undefined {
  if (raw === undefined) return undefined;
  const common = {
    ...(raw.maxParallel === undefined ? {} : { maxParallel: raw.maxParallel }),
    failFast: raw.failFast ?? true,
  };
  const isStatic = raw.values !== undefined || raw.include !== undefined;
  if (raw.fromJson !== undefined) {
    if (isStatic || raw.exclude !== undefined) {
      ctx.sink.error(
        'WF1208',
        [...path, 'fromJson'],
        'a matrix takes either values/include/exclude or fromJson, not both',
        {
          target: 'key',
        },
      );
    }
    return { kind: 'dynamic', from: ctx.template(raw.fromJson, [...path, 'fromJson']), ...common };
  }
  if (!isStatic) {
    ctx.sink.error('WF1208', path, 'a matrix needs "values", "include" or "fromJson"');
    return undefined;
  }
  const { keys, items } = expand(raw, path, ctx.sink);
  const emptyAxis = Object.values(raw.values ?? {}).some((list) => list.length === 0);
  if (items.length === 0 && !emptyAxis) {
    ctx.sink.error('WF1208', path, 'the matrix has no items left after "exclude"');
  } else if (items.length > MAX_STATIC_ITEMS) {
    ctx.sink.error('WF1208', [...path, 'values'], `the matrix has more than ${MAX_STATIC_ITEMS} items`, {
      hint: 'use fewer values, or fromJson with an upstream output for large fan-outs',
    });
  }
  return { kind: 'static', keys, items, ...common };
}
