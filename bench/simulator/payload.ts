import type { JsonValue, PayloadTemplate } from '../../compiler/asl/types.js';
import { invalidAsl } from './errors.js';
import { evaluateIntrinsic, type IntrinsicScope } from './intrinsics.js';
import { requirePath } from './json-path.js';

function evaluateDynamic(key: string, expression: JsonValue, scope: IntrinsicScope): JsonValue {
  if (typeof expression !== 'string') throw invalidAsl(`${scope.where}: "${key}" must hold a string`);
  if (expression.startsWith('States.')) return evaluateIntrinsic(expression, scope);
  return requirePath(expression, scope.data, scope.context, scope.where);
}

function evaluateValue(value: JsonValue, scope: IntrinsicScope): JsonValue {
  if (Array.isArray(value)) return value.map((item) => evaluateValue(item, scope));
  if (value !== null && typeof value === 'object') return evaluateTemplate(value, scope);
  return value;
}

/**
 * Evaluates a `Parameters`, `ResultSelector` or `ItemSelector` template: keys ending in `.$` take
 * the value of their path or intrinsic, under the key without the suffix; nested objects and
 * arrays are evaluated the same way.
 */
export function evaluateTemplate(
  template: PayloadTemplate,
  scope: IntrinsicScope,
): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) out[key.slice(0, -2)] = evaluateDynamic(key, value, scope);
    else out[key] = evaluateValue(value, scope);
  }
  return out;
}
