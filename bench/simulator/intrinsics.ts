import type { JsonValue } from '../../compiler/asl/types.js';
import { unsupported } from './errors.js';
import { requirePath } from './json-path.js';

/** A parsed intrinsic argument. String literals keep their raw text: `States.Format` needs the escapes. */
type Arg =
  | { readonly kind: 'call'; readonly name: string; readonly args: ReadonlyArray<Arg> }
  | { readonly kind: 'string'; readonly raw: string }
  | { readonly kind: 'literal'; readonly value: JsonValue }
  | { readonly kind: 'path'; readonly path: string };

type Call = Extract<Arg, { kind: 'call' }>;

/** Reads one intrinsic expression; `pos` advances over the text. */
class Parser {
  pos = 0;
  constructor(readonly text: string) {}

  fail(what: string): never {
    throw unsupported(`intrinsic ${JSON.stringify(this.text)}: ${what} at column ${this.pos + 1}`);
  }

  skipSpaces(): void {
    while (this.text[this.pos] === ' ') this.pos++;
  }

  call(): Call {
    const match = /^States\.[A-Za-z]+/.exec(this.text.slice(this.pos));
    if (match === null) this.fail('expected States.<Name>(');
    this.pos += match[0].length;
    if (this.text[this.pos] !== '(') this.fail('expected "("');
    this.pos++;
    const args: Arg[] = [];
    this.skipSpaces();
    while (this.text[this.pos] !== ')') {
      if (args.length > 0) {
        if (this.text[this.pos] !== ',') this.fail('expected "," or ")"');
        this.pos++;
        this.skipSpaces();
      }
      args.push(this.arg());
      this.skipSpaces();
      if (this.pos >= this.text.length) this.fail('unclosed call');
    }
    this.pos++;
    return { kind: 'call', name: match[0], args };
  }

  arg(): Arg {
    const rest = this.text.slice(this.pos);
    if (rest.startsWith('States.')) return this.call();
    if (rest.startsWith("'")) return this.string();
    if (rest.startsWith('$')) return this.path();
    const literal = /^(-?\d+(\.\d+)?|true|false|null)/.exec(rest);
    if (literal === null) this.fail('expected an argument');
    this.pos += literal[0].length;
    return { kind: 'literal', value: JSON.parse(literal[0]) as JsonValue };
  }

  string(): Arg {
    const start = ++this.pos;
    while (this.pos < this.text.length && this.text[this.pos] !== "'") {
      this.pos += this.text[this.pos] === '\\' ? 2 : 1;
    }
    if (this.pos >= this.text.length) this.fail('unclosed string');
    return { kind: 'string', raw: this.text.slice(start, this.pos++) };
  }

  path(): Arg {
    const start = this.pos;
    let depth = 0;
    while (this.pos < this.text.length) {
      const char = this.text[this.pos];
      if (depth === 0 && (char === ',' || char === ')' || char === ' ')) break;
      if (char === '[') depth++;
      if (char === ']') depth--;
      if (char === "'" || char === '"') this.pos = this.text.indexOf(char, this.pos + 1);
      if (this.pos === -1) this.fail('unclosed quote in a path');
      this.pos++;
    }
    return { kind: 'path', path: this.text.slice(start, this.pos) };
  }
}

const parsed = new Map<string, Call>();

function parseIntrinsic(text: string): Call {
  const cached = parsed.get(text);
  if (cached !== undefined) return cached;
  const parser = new Parser(text);
  const call = parser.call();
  parser.skipSpaces();
  if (parser.pos !== text.length) parser.fail('unexpected text after the call');
  parsed.set(text, call);
  return call;
}

/** Removes the backslash escapes of an intrinsic string literal. */
function unescapeLiteral(raw: string): string {
  return raw.replace(/\\(.)/g, '$1');
}

/** Where an intrinsic reads its paths from, and what to say when it fails. */
export interface IntrinsicScope {
  readonly data: JsonValue;
  readonly context: JsonValue;
  readonly where: string;
}

function evaluateArg(arg: Arg, scope: IntrinsicScope): JsonValue {
  switch (arg.kind) {
    case 'call':
      return applyCall(arg, scope);
    case 'string':
      return unescapeLiteral(arg.raw);
    case 'literal':
      return arg.value;
    case 'path':
      return requirePath(arg.path, scope.data, scope.context, scope.where);
  }
}

/** `States.Format`: `{}` takes the next argument; `\{` and `\}` are literal braces. */
function format(call: Call, scope: IntrinsicScope): string {
  const [template, ...rest] = call.args;
  if (template?.kind !== 'string') throw unsupported(`${scope.where}: States.Format needs a string template`);
  const values = rest.map((a) => evaluateArg(a, scope));
  let next = 0;
  return template.raw.replace(/\\(.)|\{\}/g, (_whole, escaped: string | undefined) => {
    if (escaped !== undefined) return escaped;
    const value = values[next++];
    if (value === undefined) throw unsupported(`${scope.where}: States.Format has more {} than arguments`);
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

type Fn = (args: ReadonlyArray<JsonValue>, where: string) => JsonValue;

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function deepMerge(left: { [key: string]: JsonValue }, right: { [key: string]: JsonValue }) {
  const out: { [key: string]: JsonValue } = { ...left };
  for (const [key, value] of Object.entries(right)) {
    const mine = out[key];
    out[key] = isObject(mine) && isObject(value) ? deepMerge(mine, value) : value;
  }
  return out;
}

function numberArg(args: ReadonlyArray<JsonValue>, index: number, where: string, fn: string): number {
  const value = args[index];
  if (typeof value !== 'number') throw unsupported(`${where}: ${fn} argument ${index + 1} is not a number`);
  return value;
}

const FUNCTIONS: { readonly [name: string]: Fn } = {
  'States.JsonMerge': ([left, right, deep], where) => {
    if (!isObject(left) || !isObject(right))
      throw unsupported(`${where}: States.JsonMerge needs two objects`);
    return deep === true ? deepMerge(left, right) : { ...left, ...right };
  },
  'States.StringSplit': ([text, delimiters], where) => {
    if (typeof text !== 'string' || typeof delimiters !== 'string')
      throw unsupported(`${where}: States.StringSplit needs two strings`);
    return text.split(new RegExp(`[${delimiters.replace(/[\\\]^-]/g, '\\$&')}]`)).filter((s) => s !== '');
  },
  'States.MathAdd': (args, where) =>
    numberArg(args, 0, where, 'States.MathAdd') + numberArg(args, 1, where, 'States.MathAdd'),
  // Deterministic: the simulator has no randomness, so it takes the lower bound.
  'States.MathRandom': (args, where) => numberArg(args, 0, where, 'States.MathRandom'),
  'States.ArrayGetItem': ([array, index], where) => {
    if (!Array.isArray(array) || typeof index !== 'number')
      throw unsupported(`${where}: States.ArrayGetItem needs an array and an index`);
    const item = array[index];
    if (item === undefined) throw unsupported(`${where}: States.ArrayGetItem index ${index} is out of range`);
    return item;
  },
  'States.ArrayLength': ([array], where) => {
    if (!Array.isArray(array)) throw unsupported(`${where}: States.ArrayLength needs an array`);
    return array.length;
  },
  'States.Array': (args) => [...args],
  'States.StringToJson': ([text], where) => {
    if (typeof text !== 'string') throw unsupported(`${where}: States.StringToJson needs a string`);
    return JSON.parse(text) as JsonValue;
  },
  'States.JsonToString': ([value]) => JSON.stringify(value ?? null),
};

function applyCall(call: Call, scope: IntrinsicScope): JsonValue {
  if (call.name === 'States.Format') return format(call, scope);
  const fn = FUNCTIONS[call.name];
  if (fn === undefined) {
    throw unsupported(`${scope.where}: the simulator does not implement the intrinsic ${call.name}`);
  }
  return fn(
    call.args.map((a) => evaluateArg(a, scope)),
    scope.where,
  );
}

/** Evaluates an intrinsic function call such as `States.Format('{}/x', $$.Execution.Name)`. */
export function evaluateIntrinsic(text: string, scope: IntrinsicScope): JsonValue {
  return applyCall(parseIntrinsic(text), scope);
}
