import type { JsonValue } from '../ir.js';
import type { BinaryExpr, CallExpr, Expr, NameExpr, Template } from './ast.js';
import { FunctionError, type JobStatus, lookupFunction } from './functions.js';
import { compareValues, isTruthy, looseEquals, member, toText } from './values.js';

export type JobResult = 'success' | 'failure' | 'skipped' | 'cancelled';

/** Everything an expression can read at run time. */
export interface ExprContext {
  readonly params: Readonly<Record<string, JsonValue>>;
  /** The current matrix item, when the job has a matrix. */
  readonly matrix?: Readonly<Record<string, JsonValue>>;
  readonly needs: Readonly<
    Record<string, { readonly result: JobResult; readonly outputs: Readonly<Record<string, string>> }>
  >;
  readonly run: { readonly id: string; readonly status?: string };
  readonly workflow: { readonly name: string };
  /** What `success()`, `failure()` and `cancelled()` answer for the current job. */
  readonly jobStatus: JobStatus;
}

/** An expression failed at run time: bad JSON in `fromJSON`, a bad `format` string. */
export class ExpressionEvaluationError extends Error {
  override readonly name = 'ExpressionEvaluationError';
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

/** Evaluates an expression that `checkExpression` accepted; a name with no value is `null`. */
export function evaluate(expr: Expr, context: ExprContext): JsonValue {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'name':
      return lookup(expr, context);
    case 'unary':
      return !isTruthy(evaluate(expr.operand, context));
    case 'binary':
      return evaluateBinary(expr, context);
    case 'call':
      return evaluateCall(expr, context);
  }
}

/** Evaluates a condition to a boolean by truthiness. */
export function evaluateCondition(expr: Expr, context: ExprContext): boolean {
  return isTruthy(evaluate(expr, context));
}

/** Renders a template: strings as they are, `null` as empty, other values as JSON, as GitHub does. */
export function renderTemplate(template: Template, context: ExprContext): string {
  return template.parts
    .map((part) => (part.kind === 'text' ? part.text : toText(evaluate(part.expr, context))))
    .join('');
}

function evaluateBinary(expr: BinaryExpr, context: ExprContext): JsonValue {
  const left = evaluate(expr.left, context);
  // `&&` and `||` short-circuit and return an operand, not a boolean.
  if (expr.op === '&&') return isTruthy(left) ? evaluate(expr.right, context) : left;
  if (expr.op === '||') return isTruthy(left) ? left : evaluate(expr.right, context);
  const right = evaluate(expr.right, context);
  if (expr.op === '==') return looseEquals(left, right);
  if (expr.op === '!=') return !looseEquals(left, right);
  const order = compareValues(left, right);
  if (order === undefined) return false;
  switch (expr.op) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}

function evaluateCall(expr: CallExpr, context: ExprContext): JsonValue {
  const fn = lookupFunction(expr.name);
  if (fn === undefined) {
    throw new ExpressionEvaluationError(`unknown function "${expr.name}"`, expr.start, expr.end);
  }
  const args = expr.args.map((arg) => evaluate(arg, context));
  try {
    return fn.call(args, context.jobStatus);
  } catch (error) {
    if (error instanceof FunctionError) {
      throw new ExpressionEvaluationError(error.message, expr.start, expr.end);
    }
    throw error;
  }
}

function lookup(expr: NameExpr, context: ExprContext): JsonValue {
  const [root, ...rest] = expr.path;
  let value = rootValue(root, context);
  for (const key of rest) value = member(value, key);
  return value;
}

function rootValue(root: string | number | undefined, context: ExprContext): JsonValue {
  switch (root) {
    case 'params':
      return context.params;
    case 'matrix':
      return context.matrix ?? null;
    case 'needs':
      return Object.fromEntries(
        Object.entries(context.needs).map(([job, { result, outputs }]) => [job, { result, outputs }]),
      );
    case 'run':
      return context.run.status === undefined
        ? { id: context.run.id }
        : { id: context.run.id, status: context.run.status };
    case 'workflow':
      return { name: context.workflow.name };
    default:
      return null;
  }
}
