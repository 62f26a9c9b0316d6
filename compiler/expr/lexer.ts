import { describeOffset, type ExprError, quote, syntaxError } from './errors.js';

export type Operator = '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||' | '!';
export type Punctuation = '.' | '[' | ']' | '(' | ')' | ',';

interface TokenSpan {
  readonly start: number;
  readonly end: number;
}

/** One token. Offsets are 0-based into the source given to the lexer. */
export type Token =
  | (TokenSpan & { readonly kind: 'name'; readonly name: string })
  | (TokenSpan & { readonly kind: 'number'; readonly value: number })
  | (TokenSpan & { readonly kind: 'string'; readonly value: string })
  | (TokenSpan & { readonly kind: 'boolean'; readonly value: boolean })
  | (TokenSpan & { readonly kind: 'null' })
  | (TokenSpan & { readonly kind: 'symbol'; readonly symbol: Operator | Punctuation })
  | (TokenSpan & { readonly kind: 'end' });

/** Why a token could not be read; an unterminated string swallows the rest of the source. */
export type ScanFailure = 'unexpected-character' | 'invalid-number' | 'unterminated-string';

export type Scan =
  | { readonly token: Token }
  | { readonly error: ExprError; readonly reason: ScanFailure; readonly next: number };

const twoCharSymbols: ReadonlyArray<Operator> = ['==', '!=', '<=', '>=', '&&', '||'];
const oneCharSymbols: ReadonlyArray<Operator | Punctuation> = ['<', '>', '!', '.', '[', ']', '(', ')', ','];

// Characters that are close to valid syntax get a hint on how to write it.
const characterHints: Readonly<Record<string, string>> = {
  '=': ' (use "==" to compare)',
  '&': ' (use "&&")',
  '|': ' (use "||")',
  '"': ' (strings use single quotes)',
  '-': ' (there is no subtraction; a negative number is written -5)',
};

/** True for the characters that separate tokens. */
export function isWhitespace(char: string | undefined): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r';
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

function isNameStart(char: string | undefined): boolean {
  return char !== undefined && ((char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z') || char === '_');
}

function isNamePart(char: string | undefined): boolean {
  return isNameStart(char) || isDigit(char) || char === '-';
}

/** The first offset at or after `pos` that is not whitespace, at most `to`. */
export function skipWhitespace(source: string, pos: number, to: number = source.length): number {
  let at = pos;
  while (at < to && isWhitespace(source[at])) at++;
  return at;
}

/** Reads the token that starts at `pos`, which must not be whitespace; reads no further than `to`. */
export function scanToken(source: string, pos: number, to: number = source.length): Scan {
  const char = source[pos];
  if (pos >= to || char === undefined) return { token: { kind: 'end', start: to, end: to } };
  if (char === "'") return scanString(source, pos, to);
  if (isDigit(char) || (char === '-' && pos + 1 < to && isDigit(source[pos + 1]))) {
    return scanNumber(source, pos, to);
  }
  if (isNameStart(char)) return { token: scanName(source, pos, to) };
  const two = pos + 2 <= to ? source.slice(pos, pos + 2) : '';
  const twoChar = twoCharSymbols.find((symbol) => symbol === two);
  if (twoChar !== undefined) return { token: { kind: 'symbol', symbol: twoChar, start: pos, end: pos + 2 } };
  const oneChar = oneCharSymbols.find((symbol) => symbol === char);
  if (oneChar !== undefined) return { token: { kind: 'symbol', symbol: oneChar, start: pos, end: pos + 1 } };
  // Read a whole code point so that an emoji is reported as itself, not half of it.
  const found = String.fromCodePoint(source.codePointAt(pos) ?? 0);
  const message = `unexpected character ${quote(found)} at ${describeOffset(source, pos)}${characterHints[found] ?? ''}`;
  const end = pos + found.length;
  return { error: syntaxError(message, pos, end), reason: 'unexpected-character', next: end };
}

function scanName(source: string, pos: number, to: number): Token {
  let end = pos + 1;
  while (end < to && isNamePart(source[end])) end++;
  const name = source.slice(pos, end);
  if (name === 'true' || name === 'false') {
    return { kind: 'boolean', value: name === 'true', start: pos, end };
  }
  if (name === 'null') return { kind: 'null', start: pos, end };
  return { kind: 'name', name, start: pos, end };
}

/** `''` inside a string is one quote, as in GitHub Actions. */
function scanString(source: string, pos: number, to: number): Scan {
  let value = '';
  let at = pos + 1;
  while (at < to) {
    const close = source.indexOf("'", at);
    if (close === -1 || close >= to) break;
    value += source.slice(at, close);
    if (close + 1 < to && source[close + 1] === "'") {
      value += "'";
      at = close + 2;
      continue;
    }
    return { token: { kind: 'string', value, start: pos, end: close + 1 } };
  }
  const message = `unterminated string starting at ${describeOffset(source, pos)} (write '' for a quote inside a string)`;
  return { error: syntaxError(message, pos, to), reason: 'unterminated-string', next: to };
}

/** Integers, decimals and exponents, with an optional leading minus: `-5`, `1.5`, `2e3`. */
function scanNumber(source: string, pos: number, to: number): Scan {
  let end = pos + 1;
  const digits = (): void => {
    while (end < to && isDigit(source[end])) end++;
  };
  digits();
  if (source[end] === '.' && end < to) {
    end++;
    if (!isDigit(source[end]) || end >= to) return invalidNumber(source, pos, end, to);
    digits();
  }
  if ((source[end] === 'e' || source[end] === 'E') && end < to) {
    end++;
    if ((source[end] === '+' || source[end] === '-') && end < to) end++;
    if (!isDigit(source[end]) || end >= to) return invalidNumber(source, pos, end, to);
    digits();
  }
  // `12abc` and `1.2.3` are one bad number, not a number followed by something else.
  if (end < to && (isNamePart(source[end]) || source[end] === '.')) {
    return invalidNumber(source, pos, end, to);
  }
  const value = Number(source.slice(pos, end));
  if (!Number.isFinite(value)) {
    const message = `number ${quote(source.slice(pos, end))} at ${describeOffset(source, pos)} is too large`;
    return { error: syntaxError(message, pos, end), reason: 'invalid-number', next: end };
  }
  return { token: { kind: 'number', value, start: pos, end } };
}

function invalidNumber(source: string, pos: number, from: number, to: number): Scan {
  let end = from;
  while (end < to && (isNamePart(source[end]) || source[end] === '.')) end++;
  const message = `invalid number ${quote(source.slice(pos, end))} at ${describeOffset(source, pos)}`;
  return { error: syntaxError(message, pos, end), reason: 'invalid-number', next: end };
}

/**
 * Splits `source.slice(from, to)` into tokens ending with an `end` token; offsets stay relative
 * to the whole `source`. A character that starts no token is reported and skipped.
 */
export function tokenize(
  source: string,
  from = 0,
  to: number = source.length,
): { tokens: Token[]; errors: ExprError[] } {
  const tokens: Token[] = [];
  const errors: ExprError[] = [];
  let pos = skipWhitespace(source, from, to);
  while (pos < to) {
    const scan = scanToken(source, pos, to);
    if ('error' in scan) {
      errors.push(scan.error);
      pos = skipWhitespace(source, scan.next, to);
    } else {
      tokens.push(scan.token);
      pos = skipWhitespace(source, scan.token.end, to);
    }
  }
  tokens.push({ kind: 'end', start: to, end: to });
  return { tokens, errors };
}
