/**
 * A syntax error in an expression, a template or a condition. `start` and `end` are 0-based
 * offsets into the string handed to the function that reported it.
 */
export interface ExprError {
  readonly code: 'WF3001';
  readonly message: string;
  readonly start: number;
  readonly end: number;
}

/** Builds a WF3001 error. */
export function syntaxError(message: string, start: number, end: number): ExprError {
  return { code: 'WF3001', message, start, end };
}

/** `column 7`, or `line 2, column 3` when the source spans lines; 1-based, for messages. */
export function describeOffset(source: string, offset: number): string {
  const lineStart = offset === 0 ? 0 : source.lastIndexOf('\n', offset - 1) + 1;
  const column = offset - lineStart + 1;
  if (!source.includes('\n')) return `column ${column}`;
  let line = 1;
  for (let i = source.indexOf('\n'); i !== -1 && i < offset; i = source.indexOf('\n', i + 1)) line++;
  return `line ${line}, column ${column}`;
}

/** Quotes source text for a message, keeping it short and choosing quotes that read. */
export function quote(text: string): string {
  const short = text.length > 24 ? `${text.slice(0, 24)}...` : text;
  return short.includes('"') ? `'${short}'` : `"${short}"`;
}

/** `an integer`, `a string`: a type name for a message. */
export function withArticle(word: string): string {
  return `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;
}
