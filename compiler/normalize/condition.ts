import type { DiagnosticSink } from '../diagnostics/sink.js';
import type { Expr } from '../expr/ast.js';
import { parseCondition } from '../expr/template.js';
import type { Condition, DocPath } from '../ir.js';

/** The default condition: run when every upstream job succeeded or its failure was tolerated. */
export const SUCCESS: Condition = {
  expr: { kind: 'call', name: 'success', args: [], start: 0, end: 9 },
  source: 'success()',
  offset: 0,
};

const STATUS_FUNCTIONS = new Set(['success', 'failure', 'always', 'cancelled']);

/** Whether an expression calls a status function (`success()`, `failure()`, ...). */
function usesStatus(expr: Expr): boolean {
  switch (expr.kind) {
    case 'call':
      return STATUS_FUNCTIONS.has(expr.name) || expr.args.some(usesStatus);
    case 'unary':
      return usesStatus(expr.operand);
    case 'binary':
      return usesStatus(expr.left) || usesStatus(expr.right);
    default:
      return false;
  }
}

/** True when the expression is false whatever the run does (`false`, `x && false`, `!true`). */
export function isConstantFalse(expr: Expr): boolean {
  switch (expr.kind) {
    case 'literal':
      return expr.value === false || expr.value === null || expr.value === 0 || expr.value === '';
    case 'binary':
      return expr.op === '&&'
        ? isConstantFalse(expr.left) || isConstantFalse(expr.right)
        : expr.op === '||' && isConstantFalse(expr.left) && isConstantFalse(expr.right);
    case 'unary':
      return expr.operand.kind === 'literal' && Boolean(expr.operand.value);
    default:
      return false;
  }
}

/**
 * As in GitHub Actions, a condition that names no status function only applies once the
 * upstream jobs succeeded: `x` means `success() && (x)`.
 */
function withImplicitSuccess(expr: Expr): Expr {
  if (usesStatus(expr)) return expr;
  return {
    kind: 'binary',
    op: '&&',
    left: { ...SUCCESS.expr, start: expr.start, end: expr.start },
    right: expr,
    start: expr.start,
    end: expr.end,
  };
}

/**
 * `if`/`when` as an expression. Booleans and zen-flow's `always`/`never` are accepted as
 * written; a bare expression and one wrapped in `${{ }}` mean the same.
 */
export function normalizeCondition(
  raw: string | boolean | undefined,
  path: DocPath,
  sink: DiagnosticSink,
): Condition {
  if (raw === undefined) return SUCCESS;
  if (typeof raw === 'boolean' || raw === 'never') {
    const value = raw === true;
    return {
      expr: { kind: 'literal', value, start: 0, end: String(raw).length },
      source: String(raw),
      path,
      offset: 0,
    };
  }
  if (raw.trim() === 'always') {
    return {
      expr: { kind: 'call', name: 'always', args: [], start: 0, end: 6 },
      source: raw,
      path,
      offset: 0,
    };
  }
  const parsed = parseCondition(raw);
  for (const error of parsed.errors) sink.error('WF3001', path, error.message, { offset: error.start });
  const expr: Expr = parsed.expr ?? { kind: 'literal', value: false, start: 0, end: 0 };
  return { expr: withImplicitSuccess(expr), source: raw, path, offset: parsed.offset };
}
