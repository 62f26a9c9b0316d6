import { didYouMean } from '../diagnostics/suggest.js';
import type { BinaryExpr, CallExpr, Expr } from './ast.js';
import { checkName } from './check-names.js';
import { withArticle } from './errors.js';
import { type BuiltinFunction, functionNames, lookupFunction, parseFormat } from './functions.js';
import { formatName, printExpression } from './print.js';
import type { ExprProblem, ExprScope } from './scope.js';
import { typeOfValue, type ValueType } from './values.js';

export type { ExprProblem, ExprProblemCode, ExprScope } from './scope.js';

/** Checks names, functions and comparisons of a parsed expression; returns every problem found. */
export function checkExpression(expr: Expr, scope: ExprScope): ExprProblem[] {
  const problems: ExprProblem[] = [];
  visit(expr, scope, problems);
  return problems;
}

function visit(expr: Expr, scope: ExprScope, problems: ExprProblem[]): void {
  switch (expr.kind) {
    case 'literal':
      return;
    case 'name':
      add(problems, checkName(expr, scope));
      return;
    case 'call':
      add(problems, checkCall(expr, scope));
      for (const arg of expr.args) visit(arg, scope, problems);
      return;
    case 'unary':
      visit(expr.operand, scope, problems);
      return;
    case 'binary':
      visit(expr.left, scope, problems);
      visit(expr.right, scope, problems);
      add(problems, checkComparison(expr, scope));
      return;
  }
}

/** Appends what a check found; most find nothing, and spreading nothing still costs a call. */
function add(problems: ExprProblem[], found: ReadonlyArray<ExprProblem>): void {
  if (found.length > 0) problems.push(...found);
}

function checkCall(expr: CallExpr, scope: ExprScope): ExprProblem[] {
  const span = { start: expr.start, end: expr.end };
  const fn = lookupFunction(expr.name);
  if (fn === undefined) {
    const message = `unknown function "${expr.name}"${didYouMean(expr.name, functionNames)}`;
    return [{ code: 'WF3006', message, hint: `functions: ${functionNames.join(', ')}`, ...span }];
  }
  const count = expr.args.length;
  if (count < fn.minArgs || count > fn.maxArgs) {
    const message = `${fn.name}() takes ${describeArity(fn)}, found ${count}`;
    return [{ code: 'WF3006', message, ...span }];
  }
  if (fn.status && !scope.allowStatusFunctions) {
    const message = `${fn.name}() can only be used in a job's if/when condition`;
    return [
      {
        code: 'WF3007',
        message,
        hint: 'it says how the jobs upstream ended, which only a condition can use',
        ...span,
      },
    ];
  }
  return fn.name === 'format' ? checkFormat(expr) : [];
}

function describeArity(fn: BuiltinFunction): string {
  const plural = (n: number): string => `${n} argument${n === 1 ? '' : 's'}`;
  if (fn.maxArgs === 0) return 'no arguments';
  if (fn.maxArgs === Number.POSITIVE_INFINITY) return `at least ${plural(fn.minArgs)}`;
  if (fn.minArgs === fn.maxArgs) return plural(fn.minArgs);
  return `${fn.minArgs} or ${plural(fn.maxArgs)}`;
}

/** A literal format string can be checked against the number of values now, not at run time. */
function checkFormat(expr: CallExpr): ExprProblem[] {
  const [fmt, ...values] = expr.args;
  if (fmt?.kind !== 'literal' || typeof fmt.value !== 'string') return [];
  const span = { start: fmt.start, end: fmt.end };
  const parsed = parseFormat(fmt.value);
  if ('error' in parsed) {
    return [
      {
        code: 'WF3006',
        message: `invalid format string: ${parsed.error}`,
        hint: 'write {{ and }} for literal braces',
        ...span,
      },
    ];
  }
  const highest = Math.max(-1, ...parsed.pieces.map((piece) => ('index' in piece ? piece.index : -1)));
  if (highest < values.length) return [];
  const message = `format string uses {${highest}} but only ${values.length} value(s) follow it`;
  return [{ code: 'WF3006', message, ...span }];
}

interface StaticType {
  readonly type: ValueType;
  /** How the type is said in messages: a param's declared type, such as `integer`. */
  readonly label: string;
}

const comparisons = new Set(['==', '!=', '<', '<=', '>', '>=']);

/** Comparing values of different known types coerces them to numbers, which is rarely meant. */
function checkComparison(expr: BinaryExpr, scope: ExprScope): ExprProblem[] {
  if (!comparisons.has(expr.op)) return [];
  const left = staticType(expr.left, scope);
  const right = staticType(expr.right, scope);
  if (left === undefined || right === undefined || left.type === right.type) return [];
  // `== null` is how an optional param is tested.
  if (left.type === 'null' || right.type === 'null') return [];
  const message = `${printExpression(expr.left)} (${left.label}) is compared with ${printExpression(expr.right)} (${right.label})`;
  const hint = `values of different types are converted to numbers before "${expr.op}"; compare with ${withArticle(left.label)}`;
  return [{ code: 'WF3008', message, hint, start: expr.start, end: expr.end }];
}

/** The type an expression always has, when it can be known before the run. */
function staticType(expr: Expr, scope: ExprScope): StaticType | undefined {
  switch (expr.kind) {
    case 'literal': {
      const type = typeOfValue(expr.value);
      return { type, label: type };
    }
    case 'name':
      return nameType(expr.path, scope);
    case 'call': {
      const returns = lookupFunction(expr.name)?.returns;
      return returns === undefined ? undefined : { type: returns, label: returns };
    }
    case 'unary':
      return { type: 'boolean', label: 'boolean' };
    case 'binary': {
      if (comparisons.has(expr.op)) return { type: 'boolean', label: 'boolean' };
      // `a && b` and `a || b` return one of their operands.
      const left = staticType(expr.left, scope);
      const right = staticType(expr.right, scope);
      return left !== undefined && right !== undefined && left.type === right.type ? left : undefined;
    }
  }
}

// Names whose value is always a string; matrix values and outputs are left unchecked.
const stringNames = new Set(['run.id', 'run.status', 'workflow.name']);

function nameType(path: ReadonlyArray<string | number>, scope: ExprScope): StaticType | undefined {
  const [root, key, field] = path;
  if (root === 'params' && typeof key === 'string' && path.length === 2) {
    const declared = scope.params.get(key);
    if (declared === undefined) return undefined;
    return { type: declared === 'integer' ? 'number' : declared, label: declared };
  }
  if (root === 'needs' && field === 'result' && path.length === 3) return { type: 'string', label: 'string' };
  return stringNames.has(formatName(path)) ? { type: 'string', label: 'string' } : undefined;
}
