/** A backslash before each character an intrinsic string literal must escape: `'`, `{`, `}`, `\`. */
function escaped(text: string): string {
  // `$&` is the match: a replacement string, not a function call per character.
  return text.replace(/[\\'{}]/g, '\\$&');
}

/** Escapes text for a string literal inside an intrinsic function (`'`, `{`, `}`, `\`). */
export function intrinsicString(text: string): string {
  return `'${escaped(text)}'`;
}

/** `States.Format('...{}...', a, b)` from literal pieces and argument paths, in order. */
export function format(pieces: ReadonlyArray<string>, args: ReadonlyArray<string>): string {
  const template = pieces.map(escaped).join('{}');
  return `States.Format('${template}'${args.map((a) => `, ${a}`).join('')})`;
}
