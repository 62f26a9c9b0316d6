import type { Expr, Template, TemplatePart } from './ast.js';
import { describeOffset, type ExprError, syntaxError } from './errors.js';
import { isWhitespace, scanToken, skipWhitespace } from './lexer.js';
import { parseExpressionAt } from './parser.js';

const open = '${{';
const close = '}}';

/**
 * Where the `}}` that closes a `${{` opened before `from` is, scanning tokens so that a `}}`
 * inside a quoted string does not count; or the error that explains why there is none.
 */
function findClose(source: string, from: number, opener: number): { close: number } | { error: ExprError } {
  // Only a string token can hold a `}` (or a quote): other text is stepped over a character at a
  // time, with no token built. Other bad characters are reported when the expression is parsed.
  let pos = from;
  while (pos < source.length) {
    const char = source[pos];
    if (char === '}' && source[pos + 1] === '}') return { close: pos };
    if (char !== "'") {
      pos++;
      continue;
    }
    const scan = scanToken(source, pos);
    if ('error' in scan) return { error: scan.error };
    pos = scan.token.end;
  }
  const message = `unterminated "${open}" at ${describeOffset(source, opener)}: expected "${close}" before the end of the text`;
  return { error: syntaxError(message, opener, source.length) };
}

/** Parses the expression between `${{` and `}}`, trimmed of surrounding whitespace. */
function parseHole(
  source: string,
  opener: number,
  closer: number,
): { part?: TemplatePart; errors: ExprError[] } {
  const from = skipWhitespace(source, opener + open.length, closer);
  let to = closer;
  while (to > from && isWhitespace(source[to - 1])) to--;
  if (from === to) {
    const message = `empty expression in "${open} ${close}" at ${describeOffset(source, opener)}`;
    return { errors: [syntaxError(message, opener, closer + close.length)] };
  }
  const { expr, errors } = parseExpressionAt(source, from, to);
  if (expr === undefined) return { errors };
  return { part: { kind: 'expr', expr, source: source.slice(from, to), offset: from }, errors };
}

/**
 * Splits a string into text and `${{ ... }}` parts. Error offsets are relative to `source`; each
 * expression's own offsets are relative to its part's `offset`. A template with errors keeps the
 * text it could not parse as text parts, and is not meant to be rendered.
 */
export function parseTemplate(source: string): { template: Template; errors: ExprError[] } {
  const parts: TemplatePart[] = [];
  const errors: ExprError[] = [];
  const pushText = (text: string): void => {
    if (text !== '') parts.push({ kind: 'text', text });
  };
  let pos = 0;
  for (let opener = source.indexOf(open); opener !== -1; opener = source.indexOf(open, pos)) {
    pushText(source.slice(pos, opener));
    const found = findClose(source, opener + open.length, opener);
    if ('error' in found) {
      errors.push(found.error);
      pos = opener;
      break;
    }
    const hole = parseHole(source, opener, found.close);
    errors.push(...hole.errors);
    if (hole.part === undefined) pushText(source.slice(opener, found.close + close.length));
    else parts.push(hole.part);
    pos = found.close + close.length;
  }
  pushText(source.slice(pos));
  return { template: { source, parts }, errors };
}

/**
 * Parses an `if:` value: a bare expression, or one `${{ ... }}` around the whole value.
 * `offset` is where the parsed expression starts in `source`; AST offsets are relative to it.
 */
export function parseCondition(source: string): { expr?: Expr; offset: number; errors: ExprError[] } {
  const start = skipWhitespace(source, 0);
  if (!source.startsWith(open, start)) {
    const bare = parseExpressionAt(source, 0, source.length);
    const mixed = bare.errors.some((error) => source.startsWith(open, error.start));
    return mixed ? { offset: 0, errors: [mixedCondition(source)] } : { ...bare, offset: 0 };
  }
  const { template, errors } = parseTemplate(source);
  if (errors.length > 0) return { offset: start, errors };
  const [only, ...others] = template.parts.filter((part) => part.kind === 'expr' || part.text.trim() !== '');
  if (only?.kind !== 'expr' || others.length > 0) return { offset: start, errors: [mixedCondition(source)] };
  return { expr: only.expr, offset: only.offset, errors: [] };
}

function mixedCondition(source: string): ExprError {
  const message = `a condition is either a bare expression or one "${open} ... ${close}" around the whole value; write "${open} a && b ${close}", not "${open} a ${close} && ${open} b ${close}"`;
  return syntaxError(message, 0, source.length);
}

/** True when the template has no `${{ ... }}` part. */
export function templateIsStatic(template: Template): boolean {
  return template.parts.every((part) => part.kind === 'text');
}

/** The template's text when it has no expression, else `undefined`. */
export function staticText(template: Template): string | undefined {
  let text = '';
  for (const part of template.parts) {
    if (part.kind !== 'text') return undefined;
    text += part.text;
  }
  return text;
}
