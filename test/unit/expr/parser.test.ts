import { describe, expect, it } from 'vitest';
import { parseExpression } from '../../../compiler/expr/parser.js';
import { parseValid, shape } from './helpers.js';

function errorOf(source: string) {
  const { expr, errors } = parseExpression(source);
  expect(expr).toBeUndefined();
  expect(errors).toHaveLength(1);
  return errors[0];
}

function messageOf(source: string): string | undefined {
  return errorOf(source)?.message;
}

describe('parseExpression', () => {
  it('parses a comparison into a whole tree with spans', () => {
    expect(parseExpression("needs.build.result == 'success'")).toStrictEqual({
      expr: {
        kind: 'binary',
        op: '==',
        left: { kind: 'name', path: ['needs', 'build', 'result'], start: 0, end: 18 },
        right: { kind: 'literal', value: 'success', start: 22, end: 31 },
        start: 0,
        end: 31,
      },
      errors: [],
    });
  });

  it('parses every literal kind', () => {
    const literals = ["'a''b'", '12', '-1.5', 'true', 'false', 'null'].map((source) => parseValid(source));

    expect(literals.map((expr) => (expr.kind === 'literal' ? expr.value : expr.kind))).toStrictEqual([
      "a'b",
      12,
      -1.5,
      true,
      false,
      null,
    ]);
  });

  it('turns dotted and indexed names into one path', () => {
    expect(parseValid("needs['build-x'].outputs.version[0]")).toStrictEqual({
      kind: 'name',
      path: ['needs', 'build-x', 'outputs', 'version', 0],
      start: 0,
      end: 35,
    });
  });

  it('accepts keywords as property names after a dot', () => {
    expect(shape(parseValid('params.true.null'))).toBe('params.true.null');
  });

  it('parses a call with its arguments and span', () => {
    expect(parseValid("contains(params.list, 'x')")).toStrictEqual({
      kind: 'call',
      name: 'contains',
      args: [
        { kind: 'name', path: ['params', 'list'], start: 9, end: 20 },
        { kind: 'literal', value: 'x', start: 22, end: 25 },
      ],
      start: 0,
      end: 26,
    });
  });

  it('parses a call without arguments and nested calls', () => {
    expect(shape(parseValid("success() && startsWith(format('{0}', toJSON(a)), 'x')"))).toBe(
      '(&& (success()) (startsWith() (format() "{0}" (toJSON() a)) "x"))',
    );
  });

  it('parses a unary not with its span', () => {
    expect(parseValid('!cancelled()')).toStrictEqual({
      kind: 'unary',
      op: '!',
      operand: { kind: 'call', name: 'cancelled', args: [], start: 1, end: 12 },
      start: 0,
      end: 12,
    });
  });

  it('widens the span of a parenthesised expression to its parentheses', () => {
    const expr = parseValid('( a || b ) && c');

    expect(expr.kind === 'binary' && expr.left).toMatchObject({
      kind: 'binary',
      op: '||',
      start: 0,
      end: 10,
    });
  });

  describe('precedence', () => {
    it.each([
      ['a || b && c', '(|| a (&& b c))'],
      ['a && b || c', '(|| (&& a b) c)'],
      ['a && b == c', '(&& a (== b c))'],
      ['a == b < c', '(== a (< b c))'],
      ['a != b >= c', '(!= a (>= b c))'],
      ['a <= b > c', '(> (<= a b) c)'],
      ['!a == b', '(== (! a) b)'],
      ['!!a', '(! (! a))'],
      ['!a.b[0]', '(! a.b.[0])'],
      ['(a || b) && c', '(&& (|| a b) c)'],
      ['!(a && b)', '(! (&& a b))'],
      ['a || b || c', '(|| (|| a b) c)'],
      ['a == b == c', '(== (== a b) c)'],
      ["a.b == 'x' && !f(c, d || e)", '(&& (== a.b "x") (! (f() c (|| d e))))'],
    ])('parses %s as %s', (source, expected) => {
      expect(shape(parseValid(source))).toBe(expected);
    });
  });

  describe('errors', () => {
    it('reports an unclosed parenthesis with the column of the opening one', () => {
      expect(errorOf('a && (b || c')).toStrictEqual({
        code: 'WF3001',
        message: 'expected ")" to close "(" at column 6, found end of expression',
        start: 12,
        end: 12,
      });
    });

    it('reports an unclosed call with what may come next', () => {
      expect(messageOf("contains(a, 'b' c")).toMatchInlineSnapshot(
        `"expected "," or ")" to close "(" at column 9, found "c" at column 17"`,
      );
    });

    it('reports an unclosed index', () => {
      expect(messageOf("a['b'")).toMatchInlineSnapshot(
        `"expected "]" to close "[" at column 2, found end of expression"`,
      );
    });

    it('reports an empty expression', () => {
      expect(errorOf('   ')).toStrictEqual({
        code: 'WF3001',
        message: 'expected an expression, found end of expression',
        start: 3,
        end: 3,
      });
    });

    it('reports a missing right operand at the token found instead', () => {
      expect(errorOf('a == )')).toStrictEqual({
        code: 'WF3001',
        message: 'expected an expression, found ")" at column 6',
        start: 5,
        end: 6,
      });
    });

    it('reports a trailing comma in a call', () => {
      expect(messageOf('format(a, )')).toMatchInlineSnapshot(
        `"expected an expression, found ")" at column 11"`,
      );
    });

    it('reports two operands without an operator', () => {
      expect(messageOf('a b')).toMatchInlineSnapshot(
        `"expected an operator or the end of the expression, found "b" at column 3"`,
      );
    });

    it('reports a closing parenthesis without an opening one', () => {
      expect(messageOf('a)')).toMatchInlineSnapshot(`"unexpected ")" at column 2: no "(" to close"`);
    });

    it('reports a dot not followed by a property name', () => {
      expect(messageOf('a.5')).toMatchInlineSnapshot(
        `"expected a property name after "." at column 2, found "5" at column 3"`,
      );
    });

    it('reports an index that is neither a quoted key nor a whole number', () => {
      expect([messageOf('a[b]'), messageOf('a[-1]'), messageOf('a[1.5]')]).toMatchInlineSnapshot(`
        [
          "expected a quoted key or a whole number inside "[" at column 2, found "b" at column 3",
          "expected a quoted key or a whole number inside "[" at column 2, found "-1" at column 3",
          "expected a quoted key or a whole number inside "[" at column 2, found "1.5" at column 3",
        ]
      `);
    });

    it('refuses to call anything but a bare function name', () => {
      expect(errorOf('a.b(c)')).toStrictEqual({
        code: 'WF3001',
        message: '"a.b" is not a function and cannot be called; found "(" at column 4',
        start: 3,
        end: 4,
      });
    });

    it('refuses property access on a call, a literal or parentheses', () => {
      expect([
        messageOf('fromJSON(a).b'),
        messageOf("'x'[0]"),
        messageOf('(a).b'),
        messageOf('f()(1)'),
      ]).toMatchInlineSnapshot(`
          [
            ""." at column 12 cannot follow a call, a literal or a parenthesised expression; only names like params.config have properties",
            ""[" at column 4 cannot follow a call, a literal or a parenthesised expression; only names like params.config have properties",
            ""." at column 4 cannot follow a call, a literal or a parenthesised expression; only names like params.config have properties",
            ""(" at column 4 cannot follow a call, a literal or a parenthesised expression; only names like params.config have properties",
          ]
        `);
    });

    it('returns the lexer errors instead of parsing a source with bad characters', () => {
      expect(parseExpression('a # b $ c').errors.map((error) => error.message)).toStrictEqual([
        'unexpected character "#" at column 3',
        'unexpected character "$" at column 7',
      ]);
    });
  });
});
