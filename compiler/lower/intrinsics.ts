/** Escapes text for a string literal inside an intrinsic function (`'`, `{`, `}`, `\`). */
export function intrinsicString(text: string): string {
  return `'${text.replace(/[\\'{}]/g, (c) => `\\${c}`)}'`;
}

/** `States.Format('...{}...', a, b)` from literal pieces and argument paths, in order. */
export function format(pieces: ReadonlyArray<string>, args: ReadonlyArray<string>): string {
  const template = pieces.map((p) => p.replace(/[\\'{}]/g, (c) => `\\${c}`)).join('{}');
  return `States.Format('${template}'${args.map((a) => `, ${a}`).join('')})`;
}
