import type { Expr } from '../../../compiler/expr/ast.js';
import { parseExpression } from '../../../compiler/expr/parser.js';
import type { ExprScope } from '../../../compiler/expr/scope.js';

/** Parses an expression that the test expects to be valid, failing the test with the errors otherwise. */
export function parseValid(source: string): Expr {
  const { expr, errors } = parseExpression(source);
  if (expr === undefined || errors.length > 0)
    throw new Error(`expected ${source} to parse: ${JSON.stringify(errors)}`);
  return expr;
}

/** A compact, span-free picture of a tree, for precedence tests: `(&& a (! b))`. */
export function shape(expr: Expr): string {
  switch (expr.kind) {
    case 'literal':
      return JSON.stringify(expr.value);
    case 'name':
      return expr.path.map((key) => (typeof key === 'number' ? `[${key}]` : key)).join('.');
    case 'call':
      return `(${expr.name}()${expr.args.map((arg) => ` ${shape(arg)}`).join('')})`;
    case 'unary':
      return `(! ${shape(expr.operand)})`;
    case 'binary':
      return `(${expr.op} ${shape(expr.left)} ${shape(expr.right)})`;
  }
}

/** A scope for a job `deploy` downstream of `build` and `test`, with a two-key matrix. */
export function scopeWith(overrides: Partial<ExprScope> = {}): ExprScope {
  return {
    params: new Map([
      ['environment', 'string'],
      ['batchSize', 'integer'],
      ['ratio', 'number'],
      ['dryRun', 'boolean'],
      ['regions', 'array'],
      ['config', 'object'],
    ]),
    matrix: new Set(['go', 'shard']),
    jobs: new Map([
      ['build', new Set(['version', 'image-tag'])],
      ['test', new Set<string>()],
      ['deploy', new Set<string>()],
      ['notify', new Set<string>()],
    ]),
    upstream: new Set(['build', 'test']),
    allowRunStatus: false,
    allowStatusFunctions: true,
    ...overrides,
  };
}
