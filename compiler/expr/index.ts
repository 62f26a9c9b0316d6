/** The expression language: parse, check and evaluate `${{ ... }}` and `if` conditions. */
export type {
  BinaryExpr,
  BinaryOp,
  CallExpr,
  Expr,
  LiteralExpr,
  NameExpr,
  Template,
  TemplatePart,
  UnaryExpr,
} from './ast.js';
export { checkExpression } from './check.js';
export type { ExprError } from './errors.js';
export {
  type ExprContext,
  ExpressionEvaluationError,
  evaluate,
  evaluateCondition,
  type JobResult,
  renderTemplate,
} from './evaluate.js';
export { type JobStatus, lookupFunction } from './functions.js';
export { parseExpression } from './parser.js';
export { formatName, printExpression } from './print.js';
export type { ExprProblem, ExprProblemCode, ExprScope } from './scope.js';
export { parseCondition, parseTemplate, staticText, templateIsStatic } from './template.js';
