import type { ChoiceCondition, ChoiceState, JsonValue } from '../../compiler/asl/types.js';
import { invalidAsl, unsupported } from './errors.js';
import { readPath } from './json-path.js';

interface Scope {
  readonly data: JsonValue;
  readonly context: JsonValue;
  readonly where: string;
}

type Comparison = { readonly [operator: string]: JsonValue };

/** `*` matches any run of characters; `\*` is a literal star. */
function matchesGlob(value: string, pattern: string): boolean {
  const source = pattern
    .split(/(\\\*|\*)/)
    .map((part) =>
      part === '*' ? '.*' : part === '\\*' ? '\\*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`, 's').test(value);
}

function typeTest(operator: string, value: JsonValue | undefined, expected: boolean): boolean | undefined {
  switch (operator) {
    case 'IsPresent':
      return (value !== undefined) === expected;
    case 'IsNull':
      return (value === null) === expected;
    case 'IsString':
      return (typeof value === 'string') === expected;
    case 'IsNumeric':
      return (typeof value === 'number') === expected;
    case 'IsBoolean':
      return (typeof value === 'boolean') === expected;
    default:
      return undefined;
  }
}

function compare(operator: string, value: JsonValue, operand: JsonValue, where: string): boolean {
  const base = operator.replace(/Path$/, '');
  if (base === 'StringMatches') return typeof value === 'string' && matchesGlob(value, String(operand));
  const family = /^(String|Numeric|Boolean|Timestamp)(.*)$/.exec(base);
  if (family === null) throw unsupported(`${where}: the Choice operator ${operator} is not supported`);
  const [, kind, relation] = family;
  const typed =
    (kind === 'String' && typeof value === 'string' && typeof operand === 'string') ||
    (kind === 'Numeric' && typeof value === 'number' && typeof operand === 'number') ||
    (kind === 'Boolean' && typeof value === 'boolean' && typeof operand === 'boolean');
  if (!typed) return false;
  const [a, b] = [value as string | number | boolean, operand as string | number | boolean];
  switch (relation) {
    case 'Equals':
      return a === b;
    case 'LessThan':
      return a < b;
    case 'GreaterThan':
      return a > b;
    case 'LessThanEquals':
      return a <= b;
    case 'GreaterThanEquals':
      return a >= b;
    default:
      throw unsupported(`${where}: the Choice operator ${operator} is not supported`);
  }
}

function evaluateComparison(condition: Comparison, scope: Scope): boolean {
  const variable = condition.Variable;
  if (typeof variable !== 'string') throw invalidAsl(`${scope.where}: a Choice rule has no Variable`);
  const value = readPath(variable, scope.data, scope.context);
  const operators = Object.keys(condition).filter((key) => key !== 'Variable' && key !== 'Next');
  const [operator] = operators;
  if (operator === undefined || operators.length > 1)
    throw invalidAsl(`${scope.where}: a Choice rule needs exactly one operator`);
  const operand = condition[operator] as JsonValue;
  const tested = typeTest(operator, value, operand === true);
  if (tested !== undefined) return tested;
  // Step Functions fails the execution (States.Runtime) when a compared variable is missing.
  if (value === undefined) throw invalidAsl(`${scope.where}: Choice variable ${variable} reads nothing`);
  const resolved =
    operator.endsWith('Path') && typeof operand === 'string'
      ? readPath(operand, scope.data, scope.context)
      : operand;
  if (resolved === undefined)
    throw invalidAsl(`${scope.where}: Choice operand ${String(operand)} reads nothing`);
  return compare(operator, value, resolved, scope.where);
}

/** Whether one Choice condition holds for the state data. */
export function evaluateCondition(condition: ChoiceCondition, scope: Scope): boolean {
  if ('And' in condition) return condition.And.every((c) => evaluateCondition(c, scope));
  if ('Or' in condition) return condition.Or.some((c) => evaluateCondition(c, scope));
  if ('Not' in condition) return !evaluateCondition(condition.Not, scope);
  return evaluateComparison(condition as unknown as Comparison, scope);
}

/** The state a Choice goes to: the first rule that holds, else `Default`. */
export function chooseNext(state: ChoiceState, scope: Scope): string {
  for (const rule of state.Choices) if (evaluateCondition(rule, scope)) return rule.Next;
  if (state.Default === undefined)
    throw invalidAsl(`${scope.where}: no Choice rule matched and there is no Default`);
  return state.Default;
}
