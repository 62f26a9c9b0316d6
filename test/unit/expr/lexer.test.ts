// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are workflow templates, not JavaScript ones.
import { describe, expect, it } from 'vitest';
import { scanToken, tokenize } from '../../../compiler/expr/lexer.js';

/** The tokens of a valid source, without the final `end` token. */
function tokensOf(source: string) {
  const { tokens, errors } = tokenize(source);
  expect(errors).toStrictEqual([]);
  return tokens.slice(0, -1);
}

function messagesOf(source: string): string[] {
  return tokenize(source).errors.map((error) => error.message);
}

describe('tokenize', () => {
  it('reads names, dots and comparison operators with their offsets', () => {
    // Act
    const { tokens, errors } = tokenize("needs.build.result == 'success'");

    // Assess
    expect(errors).toStrictEqual([]);
    expect(tokens).toStrictEqual([
      { kind: 'name', name: 'needs', start: 0, end: 5 },
      { kind: 'symbol', symbol: '.', start: 5, end: 6 },
      { kind: 'name', name: 'build', start: 6, end: 11 },
      { kind: 'symbol', symbol: '.', start: 11, end: 12 },
      { kind: 'name', name: 'result', start: 12, end: 18 },
      { kind: 'symbol', symbol: '==', start: 19, end: 21 },
      { kind: 'string', value: 'success', start: 22, end: 31 },
      { kind: 'end', start: 31, end: 31 },
    ]);
  });

  it('keeps hyphens and digits inside names, as job ids have them', () => {
    expect(tokensOf('build-image_2 _x')).toStrictEqual([
      { kind: 'name', name: 'build-image_2', start: 0, end: 13 },
      { kind: 'name', name: '_x', start: 14, end: 16 },
    ]);
  });

  it('reads every operator and punctuation mark, longest first', () => {
    const symbols = tokensOf('== != <= >= && || < > ! . [ ] ( ) ,').map((token) =>
      token.kind === 'symbol' ? token.symbol : token.kind,
    );

    expect(symbols).toStrictEqual([
      '==',
      '!=',
      '<=',
      '>=',
      '&&',
      '||',
      '<',
      '>',
      '!',
      '.',
      '[',
      ']',
      '(',
      ')',
      ',',
    ]);
  });

  it('reads operators written without spaces', () => {
    const kinds = tokensOf('!a&&b<=1').map((token) => (token.kind === 'symbol' ? token.symbol : token.kind));

    expect(kinds).toStrictEqual(['!', 'name', '&&', 'name', '<=', 'number']);
  });

  it('reads true, false and null as literals, and longer words as names', () => {
    expect(tokensOf('true false null nullable')).toStrictEqual([
      { kind: 'boolean', value: true, start: 0, end: 4 },
      { kind: 'boolean', value: false, start: 5, end: 10 },
      { kind: 'null', start: 11, end: 15 },
      { kind: 'name', name: 'nullable', start: 16, end: 24 },
    ]);
  });

  it('reads integers, decimals, exponents and negative numbers', () => {
    const values = tokensOf('0 42 3.25 -5 -0.5 2e3 1E-2').map((token) =>
      token.kind === 'number' ? token.value : token.kind,
    );

    expect(values).toStrictEqual([0, 42, 3.25, -5, -0.5, 2000, 0.01]);
  });

  it('unescapes a doubled quote inside a string', () => {
    expect(tokensOf("'it''s' ''")).toStrictEqual([
      { kind: 'string', value: "it's", start: 0, end: 7 },
      { kind: 'string', value: '', start: 8, end: 10 },
    ]);
  });

  it('keeps braces and operators inside a string as text', () => {
    expect(tokensOf("'}} && ${{'")).toStrictEqual([
      { kind: 'string', value: '}} && ${{', start: 0, end: 11 },
    ]);
  });

  it('reports an unexpected character with its column and skips it', () => {
    // Act
    const { tokens, errors } = tokenize('a == b # c');

    // Assess
    expect(errors).toStrictEqual([
      { code: 'WF3001', message: 'unexpected character "#" at column 8', start: 7, end: 8 },
    ]);
    expect(tokens.map((token) => token.kind)).toStrictEqual(['name', 'symbol', 'name', 'name', 'end']);
  });

  it('reports every bad character, not only the first', () => {
    expect(messagesOf('a @ b ~ c')).toMatchInlineSnapshot(`
      [
        "unexpected character "@" at column 3",
        "unexpected character "~" at column 7",
      ]
    `);
  });

  it('suggests the right spelling for characters close to valid syntax', () => {
    expect(messagesOf('a = b & c | "d" - 1')).toMatchInlineSnapshot(`
      [
        "unexpected character "=" at column 3 (use "==" to compare)",
        "unexpected character "&" at column 7 (use "&&")",
        "unexpected character "|" at column 11 (use "||")",
        "unexpected character '"' at column 13 (strings use single quotes)",
        "unexpected character '"' at column 15 (strings use single quotes)",
        "unexpected character "-" at column 17 (there is no subtraction; a negative number is written -5)",
      ]
    `);
  });

  it('reports a character outside the basic plane as one character', () => {
    expect(tokenize('a 🚀').errors).toStrictEqual([
      { code: 'WF3001', message: 'unexpected character "🚀" at column 3', start: 2, end: 4 },
    ]);
  });

  it('reports an unterminated string starting at its column', () => {
    expect(tokenize("a == 'abc").errors).toStrictEqual([
      {
        code: 'WF3001',
        message: "unterminated string starting at column 6 (write '' for a quote inside a string)",
        start: 5,
        end: 9,
      },
    ]);
  });

  it('reports a string whose closing quote was escaped as unterminated', () => {
    expect(messagesOf("'abc''")).toMatchInlineSnapshot(`
      [
        "unterminated string starting at column 1 (write '' for a quote inside a string)",
      ]
    `);
  });

  it('reports malformed numbers whole', () => {
    expect(
      tokenize('12abc 1. 2e 1.2.3').errors.map(({ message, start, end }) => ({ message, start, end })),
    ).toMatchInlineSnapshot(`
        [
          {
            "end": 5,
            "message": "invalid number "12abc" at column 1",
            "start": 0,
          },
          {
            "end": 8,
            "message": "invalid number "1." at column 7",
            "start": 6,
          },
          {
            "end": 11,
            "message": "invalid number "2e" at column 10",
            "start": 9,
          },
          {
            "end": 17,
            "message": "invalid number "1.2.3" at column 13",
            "start": 12,
          },
        ]
      `);
  });

  it('reports a number too large to represent', () => {
    expect(messagesOf('1e999')).toMatchInlineSnapshot(`
      [
        "number "1e999" at column 1 is too large",
      ]
    `);
  });

  it('gives line and column when the source spans lines', () => {
    expect(messagesOf('a &&\n  b # c')).toMatchInlineSnapshot(`
      [
        "unexpected character "#" at line 2, column 5",
      ]
    `);
  });

  it('reads only the requested range, keeping offsets relative to the whole source', () => {
    // Act
    const { tokens } = tokenize('echo ${{ a.b }} done', 9, 13);

    // Assess
    expect(tokens).toStrictEqual([
      { kind: 'name', name: 'a', start: 9, end: 10 },
      { kind: 'symbol', symbol: '.', start: 10, end: 11 },
      { kind: 'name', name: 'b', start: 11, end: 12 },
      { kind: 'end', start: 13, end: 13 },
    ]);
  });

  it('does not read a string past the end of the range', () => {
    const scan = scanToken("'a' x'", 0, 2);

    expect('error' in scan && scan.reason).toBe('unterminated-string');
  });
});
