import fc from 'fast-check';
import { parse, stringify } from 'yaml';

type Json = fc.JsonValue;
type JsonObject = { [key in string]?: Json };
type Path = ReadonlyArray<string | number>;

/**
 * Mutations are data: which node they touch is a number taken modulo the candidates when the
 * mutation is applied, so that fast-check can shrink them and print them.
 */
export type DataMutation =
  | { readonly kind: 'delete'; readonly at: number }
  | { readonly kind: 'replace'; readonly at: number; readonly value: Json }
  | { readonly kind: 'retype'; readonly at: number }
  | { readonly kind: 'typo-in-key'; readonly at: number; readonly typo: Typo }
  | { readonly kind: 'add-key'; readonly at: number; readonly key: string; readonly value: Json }
  | {
      readonly kind: 'garbage-in-string';
      readonly at: number;
      readonly garbage: string;
      readonly pos: number;
    }
  | { readonly kind: 'duplicate-job'; readonly at: number; readonly into: number }
  | { readonly kind: 'rename-job'; readonly at: number; readonly name: number | string }
  | { readonly kind: 'add-need'; readonly at: number; readonly name: number | string };

export type TextMutation =
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'delete-line'; readonly at: number }
  | { readonly kind: 'duplicate-line'; readonly at: number }
  | { readonly kind: 'indent-line'; readonly at: number; readonly by: number }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string };

export interface Typo {
  readonly op: 'drop' | 'double' | 'swap' | 'upper' | 'insert';
  readonly pos: number;
  readonly char: string;
}

function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Every path below the root, parents before children. */
function pathsOf(value: Json | undefined, path: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push([...path, i]);
      pathsOf(item, [...path, i], out);
    });
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      out.push([...path, key]);
      pathsOf(item, [...path, key], out);
    }
  }
  return out;
}

function getAt(root: Json, path: Path): Json | undefined {
  let node: Json | undefined = root;
  for (const segment of path) {
    if (Array.isArray(node) && typeof segment === 'number') node = node[segment];
    else if (isObject(node) && typeof segment === 'string') node = node[segment];
    else return undefined;
  }
  return node;
}

/** The container holding `path` and the key of `path` in it. */
function parentOf(root: Json, path: Path): { parent: Json | undefined; key: string | number | undefined } {
  return { parent: getAt(root, path.slice(0, -1)), key: path[path.length - 1] };
}

function setAt(root: Json, path: Path, value: Json): void {
  const { parent, key } = parentOf(root, path);
  if (Array.isArray(parent) && typeof key === 'number') parent[key] = value;
  else if (isObject(parent) && typeof key === 'string') parent[key] = value;
}

function pick<T>(items: ReadonlyArray<T>, at: number): T | undefined {
  return items.length === 0 ? undefined : items[at % items.length];
}

/** The value of another type that a confused author might have written instead. */
function retype(value: Json): Json {
  if (typeof value === 'string') return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : [value];
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'yes' : 0;
  if (value === null) return {};
  if (Array.isArray(value)) return Object.fromEntries(value.map((item, i) => [String(i), item]));
  const values = Object.values(value).filter((v) => v !== undefined);
  return values.length === 0 ? null : values;
}

function applyTypo(key: string, typo: Typo): string {
  const pos = key.length === 0 ? 0 : typo.pos % key.length;
  switch (typo.op) {
    case 'drop':
      return key.slice(0, pos) + key.slice(pos + 1);
    case 'double':
      return key.slice(0, pos + 1) + key.slice(pos);
    case 'swap':
      return key.slice(0, pos) + key.slice(pos + 1, pos + 2) + key.slice(pos, pos + 1) + key.slice(pos + 2);
    case 'upper':
      return key.slice(0, pos) + key.slice(pos, pos + 1).toUpperCase() + key.slice(pos + 1);
    case 'insert':
      return key.slice(0, pos) + typo.char + key.slice(pos);
  }
}

/** Renames `from` to `to` in an object, keeping the order of its keys. */
function renameKey(object: JsonObject, from: string, to: string): void {
  const entries = Object.entries(object);
  for (const key of Object.keys(object)) delete object[key];
  for (const [key, value] of entries) object[key === from ? to : key] = value;
}

/** The paths of the jobs: `spec.stages[s].jobs[j]`. */
function jobPaths(root: Json): Path[] {
  const stages = getAt(root, ['spec', 'stages']);
  if (!Array.isArray(stages)) return [];
  return stages.flatMap((stage, s) => {
    const jobs = isObject(stage) ? stage.jobs : undefined;
    return Array.isArray(jobs) ? jobs.map((_, j): Path => ['spec', 'stages', s, 'jobs', j]) : [];
  });
}

function jobNames(root: Json): string[] {
  return jobPaths(root).flatMap((path) => {
    const name = getAt(root, [...path, 'name']);
    return typeof name === 'string' ? [name] : [];
  });
}

function nameFrom(root: Json, name: number | string): string {
  return typeof name === 'string' ? name : (pick(jobNames(root), name) ?? 'nowhere');
}

/** Applies one mutation in place; a mutation with nothing to apply to does nothing. */
export function applyDataMutation(root: Json, mutation: DataMutation): void {
  const paths = pathsOf(root);
  switch (mutation.kind) {
    case 'delete': {
      const path = pick(paths, mutation.at);
      if (path === undefined) return;
      const { parent, key } = parentOf(root, path);
      if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
      else if (isObject(parent) && typeof key === 'string') delete parent[key];
      return;
    }
    case 'replace': {
      const path = pick(paths, mutation.at);
      if (path !== undefined) setAt(root, path, mutation.value);
      return;
    }
    case 'retype': {
      const path = pick(paths, mutation.at);
      const value = path === undefined ? undefined : getAt(root, path);
      if (path !== undefined && value !== undefined) setAt(root, path, retype(value));
      return;
    }
    case 'typo-in-key': {
      const path = pick(
        paths.filter((p) => typeof p[p.length - 1] === 'string'),
        mutation.at,
      );
      if (path === undefined) return;
      const { parent, key } = parentOf(root, path);
      if (isObject(parent) && typeof key === 'string') renameKey(parent, key, applyTypo(key, mutation.typo));
      return;
    }
    case 'add-key': {
      const objects = [[], ...paths].filter((p) => isObject(getAt(root, p)));
      const target = getAt(root, pick(objects, mutation.at) ?? []);
      if (isObject(target)) target[mutation.key] = mutation.value;
      return;
    }
    case 'garbage-in-string': {
      const path = pick(
        paths.filter((p) => typeof getAt(root, p) === 'string'),
        mutation.at,
      );
      const value = path === undefined ? undefined : getAt(root, path);
      if (path === undefined || typeof value !== 'string') return;
      const pos = mutation.pos % (value.length + 1);
      setAt(root, path, value.slice(0, pos) + mutation.garbage + value.slice(pos));
      return;
    }
    case 'duplicate-job': {
      const job = pick(jobPaths(root), mutation.at);
      const stages = getAt(root, ['spec', 'stages']);
      const stage = Array.isArray(stages) ? pick(stages, mutation.into) : undefined;
      const jobs = isObject(stage) ? stage.jobs : undefined;
      if (job !== undefined && Array.isArray(jobs)) jobs.push(structuredClone(getAt(root, job) ?? null));
      return;
    }
    case 'rename-job': {
      const job = pick(jobPaths(root), mutation.at);
      const target = job === undefined ? undefined : getAt(root, job);
      if (isObject(target)) target.name = nameFrom(root, mutation.name);
      return;
    }
    case 'add-need': {
      const job = pick(jobPaths(root), mutation.at);
      const target = job === undefined ? undefined : getAt(root, job);
      if (!isObject(target)) return;
      const name = nameFrom(root, mutation.name);
      target.needs = Array.isArray(target.needs) ? [...target.needs, name] : [name];
      return;
    }
  }
}

/** Applies one text mutation; offsets and line numbers wrap around the text. */
export function applyTextMutation(text: string, mutation: TextMutation): string {
  const lines = text.split('\n');
  const line = mutation.at % lines.length;
  switch (mutation.kind) {
    case 'truncate':
      return text.slice(0, mutation.at % (text.length + 1));
    case 'delete-line':
      return lines.filter((_, i) => i !== line).join('\n');
    case 'duplicate-line':
      return lines.flatMap((l, i) => (i === line ? [l, l] : [l])).join('\n');
    case 'indent-line':
      return lines
        .map((l, i) => {
          if (i !== line) return l;
          return mutation.by >= 0
            ? ' '.repeat(mutation.by) + l
            : l.replace(new RegExp(`^ {0,${-mutation.by}}`), '');
        })
        .join('\n');
    case 'insert': {
      const at = mutation.at % (text.length + 1);
      return text.slice(0, at) + mutation.text + text.slice(at);
    }
  }
}

const EXPRESSION_GARBAGE = [
  '${{',
  '}}',
  '${{ }}',
  '${{ params. }}',
  '${{ params.nope }}',
  '${{ needs.nowhere.outputs.x }}',
  '${{ needs.compile.outputs.nope }}',
  '${{ matrix.k }}',
  '${{ run.status }}',
  '${{ workflow.name }}',
  "${{ 'unterminated }}",
  '${{ "double" }}',
  '${{ a = b }}',
  '${{ a == }}',
  '${{ foo( }}',
  '${{ nope() }}',
  '${{ success() }}',
  "${{ format('{0}{1}', 1) }}",
  '${{ 1.2.3 }}',
  '${{ 1e999 }}',
  '${{ !!! }}',
  '${{ params.x ${{ params.y }} }}',
  '${{ \u{1F600} }}',
  '${{ params[0] }}',
  '${{ fromJSON(x).y }}',
];

const jsonValue: fc.Arbitrary<Json> = fc.jsonValue({ maxDepth: 2 });

/** A key or job name: mostly plausible, sometimes anything. */
const someName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('compile', 'test', 'deploy', 'x', 'a-b', '_', 'true', 'null', '1st', 'with space', ''),
  fc.string({ maxLength: 10 }),
);

const garbage: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...EXPRESSION_GARBAGE),
  fc.string({ maxLength: 12 }).map((inner) => `\${{ ${inner} }}`),
);

export const dataMutation: fc.Arbitrary<DataMutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: jsonValue }),
  fc.record({ kind: fc.constant('retype' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('typo-in-key' as const),
    at: fc.nat(),
    typo: fc.record({
      op: fc.constantFrom('drop', 'double', 'swap', 'upper', 'insert'),
      pos: fc.nat(),
      char: fc.string({ minLength: 1, maxLength: 1 }),
    }),
  }),
  fc.record({ kind: fc.constant('add-key' as const), at: fc.nat(), key: someName, value: jsonValue }),
  fc.record({ kind: fc.constant('garbage-in-string' as const), at: fc.nat(), garbage, pos: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate-job' as const), at: fc.nat(), into: fc.nat() }),
  fc.record({ kind: fc.constant('rename-job' as const), at: fc.nat(), name: fc.oneof(fc.nat(), someName) }),
  fc.record({ kind: fc.constant('add-need' as const), at: fc.nat(), name: fc.oneof(fc.nat(), someName) }),
);

export const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('delete-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('indent-line' as const), at: fc.nat(), by: fc.integer({ min: -6, max: 6 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(': ', '- ', '\t', '{', '[', '"', "'", '&a ', '*a', '#', '\n'), garbage),
  }),
);

export interface MutationCase {
  readonly example: number;
  readonly data: ReadonlyArray<DataMutation>;
  readonly text: ReadonlyArray<TextMutation>;
  /** Dump the mutated data in flow style (one line) rather than block style. */
  readonly flow: boolean;
}

/** At least one mutation of one of the examples (`example` wraps around their number). */
export const mutationCase: fc.Arbitrary<MutationCase> = fc
  .record({
    example: fc.nat(),
    data: fc.array(dataMutation, { maxLength: 4 }),
    // Most cases keep the text well-formed, so that they reach the passes after parse.
    text: fc.oneof(
      { arbitrary: fc.constant([]), weight: 2 },
      { arbitrary: fc.array(textMutation, { minLength: 1, maxLength: 2 }), weight: 1 },
    ),
    flow: fc.boolean(),
  })
  .filter((c) => c.data.length + c.text.length > 0);

/** Example workflows, as text and as data. */
export interface Example {
  readonly text: string;
  readonly data: Json;
}

/** Parses the examples once; each case mutates a copy. */
export function loadExamples(texts: ReadonlyArray<string>): Example[] {
  return texts.map((text) => ({ text, data: parse(text) as Json }));
}

/**
 * The text of an example after the mutations. Without data mutations the original text (with
 * its comments and layout) is mutated; otherwise the mutated data is dumped again.
 */
export function mutate(examples: ReadonlyArray<Example>, c: MutationCase): string {
  const example = pick(examples, c.example);
  let text = example?.text ?? '';
  if (example !== undefined && c.data.length > 0) {
    const data = structuredClone(example.data);
    for (const mutation of c.data) applyDataMutation(data, mutation);
    text = stringify(data, c.flow ? { collectionStyle: 'flow' } : {});
  }
  for (const mutation of c.text) text = applyTextMutation(text, mutation);
  return text;
}
