import type { JsonValue } from '../ir.js';
import { looseEquals, toText, type ValueType } from './values.js';

/** What the status functions read: how the jobs upstream of the current one ended. */
export interface JobStatus {
  readonly success: boolean;
  readonly failure: boolean;
  readonly cancelled: boolean;
}

/** A function failed at run time (bad JSON, bad format string); the evaluator adds the span. */
export class FunctionError extends Error {
  override readonly name = 'FunctionError';
}

/** A built-in function: its arity, where it may be used, its result type and its implementation. */
export interface BuiltinFunction {
  readonly name: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  /** `success()`, `failure()`, `always()`, `cancelled()`: only in conditions. */
  readonly status: boolean;
  /** The static type of the result, when it does not depend on the arguments. */
  readonly returns?: ValueType;
  readonly call: (args: ReadonlyArray<JsonValue>, status: JobStatus) => JsonValue;
}

type Definition = Omit<BuiltinFunction, 'name' | 'status' | 'maxArgs'> & { readonly maxArgs?: number };

const arg = (args: ReadonlyArray<JsonValue>, i: number): JsonValue => args[i] ?? null;

const statusFunctions: Readonly<Record<string, (status: JobStatus) => boolean>> = {
  success: (status) => status.success,
  failure: (status) => status.failure,
  cancelled: (status) => status.cancelled,
  always: () => true,
};

const valueFunctions: Readonly<Record<string, Definition>> = {
  contains: { minArgs: 2, returns: 'boolean', call: (args) => contains(arg(args, 0), arg(args, 1)) },
  startsWith: {
    minArgs: 2,
    returns: 'boolean',
    call: (args) => toText(arg(args, 0)).startsWith(toText(arg(args, 1))),
  },
  endsWith: {
    minArgs: 2,
    returns: 'boolean',
    call: (args) => toText(arg(args, 0)).endsWith(toText(arg(args, 1))),
  },
  format: {
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    returns: 'string',
    call: (args) => format(toText(arg(args, 0)), args.slice(1)),
  },
  join: { minArgs: 1, maxArgs: 2, returns: 'string', call: (args) => join(arg(args, 0), args[1]) },
  // Pretty-printed, as GitHub's toJSON.
  toJSON: { minArgs: 1, returns: 'string', call: (args) => JSON.stringify(arg(args, 0), null, 2) },
  fromJSON: { minArgs: 1, call: (args) => fromJson(toText(arg(args, 0))) },
};

const builtins: ReadonlyMap<string, BuiltinFunction> = new Map([
  ...Object.entries(statusFunctions).map(([name, test]): [string, BuiltinFunction] => [
    name,
    { name, minArgs: 0, maxArgs: 0, status: true, returns: 'boolean', call: (_, status) => test(status) },
  ]),
  ...Object.entries(valueFunctions).map(([name, definition]): [string, BuiltinFunction] => [
    name,
    { maxArgs: definition.minArgs, ...definition, name, status: false },
  ]),
]);

// Spellings accepted besides the canonical name.
const aliases: Readonly<Record<string, string>> = { fromJson: 'fromJSON' };

/** The names of the built-in functions, for messages and suggestions. */
export const functionNames: ReadonlyArray<string> = [...builtins.keys()];

/** The built-in function called `name` (or one of its aliases), if there is one. */
export function lookupFunction(name: string): BuiltinFunction | undefined {
  return builtins.get(aliases[name] ?? name);
}

function contains(search: JsonValue, item: JsonValue): boolean {
  if (Array.isArray(search)) return search.some((element) => looseEquals(element, item));
  return toText(search).includes(toText(item));
}

function join(value: JsonValue, separator: JsonValue | undefined): string {
  const sep = separator === undefined ? ',' : toText(separator);
  return Array.isArray(value) ? value.map(toText).join(sep) : toText(value);
}

function fromJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw new FunctionError(`fromJSON could not parse ${JSON.stringify(text.slice(0, 40))} as JSON`);
  }
}

export type FormatPiece = { readonly text: string } | { readonly index: number };

/**
 * Splits a `format()` string into text and `{N}` placeholders; `{{` and `}}` are literal
 * braces. Returns an error message for a brace that is neither.
 */
export function parseFormat(fmt: string): { pieces: FormatPiece[] } | { error: string } {
  const pieces: FormatPiece[] = [];
  let text = '';
  for (let i = 0; i < fmt.length; i++) {
    const char = fmt[i];
    if ((char === '{' || char === '}') && fmt[i + 1] === char) {
      text += char;
      i++;
    } else if (char === '{') {
      const closeAt = fmt.indexOf('}', i);
      const digits = closeAt === -1 ? '' : fmt.slice(i + 1, closeAt);
      if (!/^\d+$/.test(digits)) return { error: `"{" at index ${i} does not start a placeholder like {0}` };
      pieces.push({ text }, { index: Number(digits) });
      text = '';
      i = closeAt;
    } else if (char === '}') {
      return { error: `"}" at index ${i} closes no placeholder` };
    } else {
      text += char;
    }
  }
  pieces.push({ text });
  return { pieces };
}

function format(fmt: string, values: ReadonlyArray<JsonValue>): string {
  const parsed = parseFormat(fmt);
  if ('error' in parsed) throw new FunctionError(`format string is invalid: ${parsed.error}`);
  return parsed.pieces
    .map((piece) => {
      if ('text' in piece) return piece.text;
      const value = values[piece.index];
      if (value === undefined) {
        throw new FunctionError(`format string uses {${piece.index}} but has ${values.length} value(s)`);
      }
      return toText(value);
    })
    .join('');
}
