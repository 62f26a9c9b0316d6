import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BinaryOp, Expr } from '../../../compiler/expr/ast.js';
import { parseExpression } from '../../../compiler/expr/parser.js';
import { formatName, printExpression } from '../../../compiler/expr/print.js';
import { parseValid, shape } from './helpers.js';

const span = { start: 0, end: 0 };
const binaryOps: BinaryOp[] = ['||', '&&', '==', '!=', '<', '<=', '>', '>='];

/** Random trees of every node kind; spans are irrelevant to printing. */
const exprArbitrary = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .oneof(
        fc.string(),
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
      )
      .map((value): Expr => ({ kind: 'literal', value, ...span })),
    fc
      .tuple(
        fc.constantFrom('params', 'matrix', 'needs', 'job-1', '_x'),
        fc.array(fc.oneof(fc.string(), fc.nat(), fc.constantFrom('true', 'a-b', "it's")), { maxLength: 3 }),
      )
      .map(([root, rest]): Expr => ({ kind: 'name', path: [root, ...rest], ...span })),
    fc
      .tuple(fc.constantFrom('format', 'contains', 'success'), fc.array(tie('expr'), { maxLength: 3 }))
      .map(([name, args]): Expr => ({ kind: 'call', name, args, ...span })),
    tie('expr').map((operand): Expr => ({ kind: 'unary', op: '!', operand, ...span })),
    fc
      .tuple(fc.constantFrom(...binaryOps), tie('expr'), tie('expr'))
      .map(([op, left, right]): Expr => ({ kind: 'binary', op, left, right, ...span })),
  ),
})).expr;

describe('printExpression', () => {
  it('prints only the parentheses that precedence needs', () => {
    expect(printExpression(parseValid("((a || b)) && !(c == 'it''s') || (d && (e || f))"))).toBe(
      "(a || b) && !(c == 'it''s') || d && (e || f)",
    );
  });

  it('keeps parentheses that make a right operand bind first', () => {
    expect(printExpression(parseValid('a == (b == c)'))).toBe('a == (b == c)');
  });

  it('prints text that parses back to the same tree', () => {
    fc.assert(
      fc.property(exprArbitrary, (expr) => {
        const { expr: reparsed, errors } = parseExpression(printExpression(expr));
        expect(errors).toStrictEqual([]);
        expect(reparsed && shape(reparsed)).toBe(shape(expr));
      }),
    );
  });
});

describe('formatName', () => {
  it('uses dots for plain keys and brackets for the rest', () => {
    expect(formatName(['needs', 'build', 'outputs', 'image-tag', 'a b', 'null', 0])).toBe(
      "needs.build.outputs.image-tag['a b']['null'][0]",
    );
  });
});
