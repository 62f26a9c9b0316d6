import type { JsonValue } from '../../compiler/asl/types.js';
import { invalidAsl, unsupported } from './errors.js';

/** A parsed path: whether it reads the context object (`$$`), then keys and indexes. */
export interface ParsedPath {
  readonly context: boolean;
  readonly segments: ReadonlyArray<string | number>;
}

const cache = new Map<string, ParsedPath>();

/** Parses the simple JSONPath forms Waterflow emits: `$.a.b`, `$.a['b-c']`, `$.a[0]`, `$$.Task.Token`. */
export function parsePath(path: string): ParsedPath {
  const cached = cache.get(path);
  if (cached !== undefined) return cached;
  const parsed = parseUncached(path);
  cache.set(path, parsed);
  return parsed;
}

function parseUncached(path: string): ParsedPath {
  if (!path.startsWith('$')) throw unsupported(`path ${JSON.stringify(path)} does not start with "$"`);
  const context = path.startsWith('$$');
  const segments: Array<string | number> = [];
  let i = context ? 2 : 1;
  while (i < path.length) {
    const char = path[i];
    if (char === '.') {
      const match = /^[A-Za-z0-9_-]+/.exec(path.slice(i + 1));
      if (match === null)
        throw unsupported(`path ${JSON.stringify(path)}: expected a name at offset ${i + 1}`);
      segments.push(match[0]);
      i += 1 + match[0].length;
    } else if (char === '[') {
      i = parseBracket(path, i, segments);
    } else {
      throw unsupported(`path ${JSON.stringify(path)}: unexpected ${JSON.stringify(char)} at offset ${i}`);
    }
  }
  return { context, segments };
}

/** Parses `[0]`, `['name']` or `["name"]` at `start`; returns the offset after it. */
function parseBracket(path: string, start: number, segments: Array<string | number>): number {
  const index = /^\[(\d+)\]/.exec(path.slice(start));
  if (index !== null) {
    segments.push(Number(index[1]));
    return start + index[0].length;
  }
  const quote = path[start + 1];
  if (quote !== "'" && quote !== '"') {
    throw unsupported(
      `path ${JSON.stringify(path)}: only [n], ['name'] and ["name"] are supported (offset ${start})`,
    );
  }
  const close = path.indexOf(`${quote}]`, start + 2);
  if (close === -1) throw unsupported(`path ${JSON.stringify(path)}: unclosed bracket at offset ${start}`);
  segments.push(path.slice(start + 2, close));
  return close + 2;
}

/** The value at `segments` below `root`, or undefined when some step is missing. */
export function readSegments(
  root: JsonValue,
  segments: ReadonlyArray<string | number>,
): JsonValue | undefined {
  let current: JsonValue | undefined = root;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) {
      if (typeof segment !== 'number') return undefined;
      current = current[segment];
    } else {
      if (typeof segment !== 'string' || !Object.hasOwn(current, segment)) return undefined;
      current = current[segment];
    }
  }
  return current;
}

/** Reads a data path (`$...`) from `data` or a context path (`$$...`) from `context`. */
export function readPath(path: string, data: JsonValue, context: JsonValue): JsonValue | undefined {
  const parsed = parsePath(path);
  return readSegments(parsed.context ? context : data, parsed.segments);
}

/** Like `readPath`, but a path that reads nothing is an error, as in Step Functions. */
export function requirePath(path: string, data: JsonValue, context: JsonValue, where: string): JsonValue {
  const value = readPath(path, data, context);
  if (value === undefined) throw invalidAsl(`${where}: path ${JSON.stringify(path)} reads nothing`);
  return value;
}

/** Returns a copy of `root` with `value` written at `segments`, creating objects on the way. */
export function writeSegments(
  root: JsonValue,
  segments: ReadonlyArray<string | number>,
  value: JsonValue,
): JsonValue {
  const [head, ...rest] = segments;
  if (head === undefined) return value;
  if (typeof head === 'number') throw unsupported('ResultPath cannot write into an array index');
  const base = root !== null && typeof root === 'object' && !Array.isArray(root) ? root : {};
  const child = Object.hasOwn(base, head) ? (base[head] as JsonValue) : {};
  return { ...base, [head]: writeSegments(child, rest, value) };
}

/** Applies a `ResultPath`: null keeps the input, `$` replaces it, else writes into a copy. */
export function applyResultPath(input: JsonValue, result: JsonValue, resultPath: string | null | undefined) {
  if (resultPath === null) return input;
  const parsed = parsePath(resultPath ?? '$');
  if (parsed.context)
    throw unsupported(`ResultPath ${JSON.stringify(resultPath)} cannot write the context object`);
  return writeSegments(input, parsed.segments, result);
}

/** Applies an `InputPath` or `OutputPath`: null gives `{}`, absent keeps the value. */
export function selectPath(value: JsonValue, path: string | null | undefined, where: string): JsonValue {
  if (path === undefined) return value;
  if (path === null) return {};
  return requirePath(path, value, {}, where);
}
