import { ok, type UnitFailure, type UnitResult } from './result.js';

/** A cron failure, with the span of the offending text in the expression so the caller can point at it. */
export interface CronFailure extends UnitFailure {
  /** 0-based offset in the expression of the offending text (a field, or the part of it that is wrong). */
  readonly offset: number;
  readonly length: number;
}

export type CronFieldName = 'minute' | 'hour' | 'day-of-month' | 'month' | 'day-of-week';

/** One comma-separated item of a field: `*`, `5`, `1-5`, each optionally with `/step`. */
export interface CronItem {
  readonly text: string;
  readonly kind: 'star' | 'single' | 'range';
  readonly step?: number;
  readonly values: readonly number[];
}

/** One field of a parsed expression: its text as written, its items, and the values it matches, sorted. */
export interface CronField {
  readonly name: CronFieldName;
  readonly text: string;
  readonly offset: number;
  readonly items: readonly CronItem[];
  /** Day-of-week values are 0-6: 7 is folded into 0, both Sunday. */
  readonly values: readonly number[];
}

export interface FieldSpec {
  readonly name: CronFieldName;
  readonly min: number;
  readonly max: number;
  /** The highest value `*` covers: 6 for day-of-week, where 7 is only another name for Sunday. */
  readonly starMax: number;
  /** Names for `min`, `min + 1`, ... as cron accepts them, case-insensitively. */
  readonly names?: readonly string[];
  readonly allowed: string;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

type FiveSpecs = readonly [FieldSpec, FieldSpec, FieldSpec, FieldSpec, FieldSpec];

/** The five fields of Unix cron, in order. */
export const FIELD_SPECS: FiveSpecs = [
  { name: 'minute', min: 0, max: 59, starMax: 59, allowed: '0-59' },
  { name: 'hour', min: 0, max: 23, starMax: 23, allowed: '0-23' },
  { name: 'day-of-month', min: 1, max: 31, starMax: 31, allowed: '1-31' },
  { name: 'month', min: 1, max: 12, starMax: 12, names: MONTHS, allowed: '1-12 or JAN-DEC' },
  {
    name: 'day-of-week',
    min: 0,
    max: 7,
    starMax: 6,
    names: DAYS,
    allowed: '0-7 (0 and 7 are Sunday) or SUN-SAT',
  },
];

/** Where the field sits, for messages: `field 2 (hour) "25"`. */
interface FieldContext {
  readonly spec: FieldSpec;
  readonly position: number;
  readonly text: string;
  readonly offset: number;
}

/** Builds a failure about `part` of a field, found at `offset` in the field's text. */
function fieldError(
  ctx: FieldContext,
  part: string,
  offset: number,
  what: string,
  hint?: string,
): CronFailure {
  // An empty part ("1-", "*/") has nothing to point at: point at the whole field.
  if (part === '') return fieldError(ctx, ctx.text, 0, what, hint);
  const where = `field ${ctx.position} (${ctx.spec.name}) "${ctx.text}"`;
  const message = part === ctx.text ? `${where} ${what}` : `${where}: "${part}" ${what}`;
  const span = { ok: false as const, message, offset: ctx.offset + offset, length: Math.max(part.length, 1) };
  return hint === undefined ? span : { ...span, hint };
}

/** Parses one field (`*\/15`, `1-5`, `MON,WED`) into its items and the values it matches. */
export function parseField(
  spec: FieldSpec,
  position: number,
  text: string,
  offset: number,
): UnitResult<CronField, CronFailure> {
  const ctx: FieldContext = { spec, position, text, offset };
  const items: CronItem[] = [];
  const values = new Set<number>();
  let at = 0;
  for (const part of text.split(',')) {
    const item = parseItem(ctx, part, at);
    if ('ok' in item) return item;
    items.push(item);
    // Day-of-week 7 is Sunday, the same day as 0.
    for (const value of item.values) values.add(spec.name === 'day-of-week' && value === 7 ? 0 : value);
    at += part.length + 1;
  }
  return ok({ name: spec.name, text, offset, items, values: [...values].sort((a, b) => a - b) });
}

function parseItem(ctx: FieldContext, text: string, at: number): CronItem | CronFailure {
  if (text === '') return fieldError(ctx, ctx.text, 0, 'has an empty list item', 'remove the extra ","');
  const special = specialSyntax(ctx, text, at);
  if (special !== undefined) return special;
  const slash = text.indexOf('/');
  const range = slash === -1 ? text : text.slice(0, slash);
  const step = slash === -1 ? undefined : parseStep(ctx, text.slice(slash + 1), at + slash + 1);
  if (typeof step === 'object') return step;
  const bounds = parseRange(ctx, range, at, step !== undefined);
  if (!Array.isArray(bounds)) return bounds;
  const values: number[] = [];
  for (let value = bounds[0]; value <= bounds[1]; value += step ?? 1) values.push(value);
  const kind = range === '*' ? 'star' : range.includes('-') ? 'range' : 'single';
  return step === undefined ? { text, kind, values } : { text, kind, step, values };
}

/** EventBridge and Quartz syntax that Unix cron does not have, with the Unix way to say it. */
function specialSyntax(ctx: FieldContext, item: string, at: number): CronFailure | undefined {
  if (item === '?') {
    return fieldError(
      ctx,
      item,
      at,
      'is EventBridge syntax; schedules are Unix cron, as in GitHub Actions',
      'write "*": Waterflow adds the "?" EventBridge needs',
    );
  }
  if (item.includes('#') || /^(\d*L|\d+W|LW)$/i.test(item)) {
    return fieldError(
      ctx,
      item,
      at,
      'uses L, W or #, which Unix cron does not have; schedules are Unix cron, as in GitHub Actions',
      'list the days instead, e.g. "1,15" or "MON-FRI"',
    );
  }
  return undefined;
}

function parseStep(ctx: FieldContext, text: string, at: number): number | CronFailure {
  const allowed = `1-${ctx.spec.max}`;
  if (!/^\d+$/.test(text)) {
    return fieldError(ctx, text, at, `is not a step; a step is a number ${allowed}`, 'write e.g. "*/15"');
  }
  const step = Number(text);
  if (step < 1 || step > ctx.spec.max)
    return fieldError(ctx, text, at, `is out of range ${allowed} for a step`);
  return step;
}

/** `*`, `a`, `a-b`; `a` alone with a step means from `a` to the end, as `a-max/step`. */
function parseRange(
  ctx: FieldContext,
  text: string,
  at: number,
  stepped: boolean,
): [number, number] | CronFailure {
  if (text === '*') return [ctx.spec.min, ctx.spec.starMax];
  const dash = text.indexOf('-');
  if (dash === -1) {
    const value = parseAtom(ctx, text, at);
    if (typeof value !== 'number') return value;
    return [value, stepped ? ctx.spec.starMax : value];
  }
  const low = parseAtom(ctx, text.slice(0, dash), at);
  if (typeof low !== 'number') return low;
  const high = parseAtom(ctx, text.slice(dash + 1), at + dash + 1);
  if (typeof high !== 'number') return high;
  if (low > high) {
    return fieldError(
      ctx,
      text,
      at,
      'is a range that goes backwards',
      'write the lower value first; for a range that wraps around, use a list like "22-23,0-2"',
    );
  }
  return [low, high];
}

function parseAtom(ctx: FieldContext, text: string, at: number): number | CronFailure {
  const { spec } = ctx;
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    if (value < spec.min || value > spec.max)
      return fieldError(ctx, text, at, `is out of range ${spec.min}-${spec.max}`);
    return value;
  }
  const index = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (index !== -1) return spec.min + index;
  if (text === '') return fieldError(ctx, text, at, `is missing a value; allowed: ${spec.allowed}`);
  const kind = spec.names === undefined ? 'a number' : 'a number or a name';
  // "MONDAY" or "January": cron takes three-letter names only.
  const short = spec.names?.find((name) => text.length > 3 && text.toUpperCase().startsWith(name));
  const hint = short === undefined ? undefined : `write "${short}"`;
  return fieldError(ctx, text, at, `is not ${kind}; allowed: ${spec.allowed}`, hint);
}
