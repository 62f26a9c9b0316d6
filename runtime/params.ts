import type { JsonValue, Param } from '../compiler/ir.js';

/**
 * A run's params, checked before anything runs: defaults applied, each value of its declared
 * type, no unknown names. Both runtimes call this (locally: exit 2; in the cloud: HTTP 400).
 * Values given as text (`--param k=v`, a query string) are read by the declared type.
 */

export type ParamsResult =
  | { readonly ok: true; readonly params: { readonly [name: string]: JsonValue } }
  | { readonly ok: false; readonly errors: ReadonlyArray<string> };

/** Parses `k=v` arguments; a later value of the same name wins, as shells and `gh` do. */
export function parseParamArgs(
  args: ReadonlyArray<string>,
):
  | { readonly ok: true; readonly text: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly errors: ReadonlyArray<string> } {
  const text = new Map<string, string>();
  const errors: string[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) errors.push(`--param "${arg}": expected name=value`);
    else text.set(arg.slice(0, eq), arg.slice(eq + 1));
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, text };
}

/** Checks `given` (text or JSON values) against the workflow's declared params. */
export function resolveParams(
  declared: ReadonlyArray<Param>,
  given: ReadonlyMap<string, JsonValue>,
): ParamsResult {
  const errors: string[] = [];
  const params: { [name: string]: JsonValue } = {};
  const known = new Set(declared.map((param) => param.name));
  for (const name of given.keys()) {
    if (!known.has(name)) {
      const names = declared.map((param) => param.name).join(', ');
      errors.push(
        `unknown param "${name}"${names === '' ? ': the workflow declares none' : ` (declared: ${names})`}`,
      );
    }
  }
  for (const param of declared) {
    const raw = given.get(param.name);
    if (raw === undefined) {
      if (param.default !== undefined) params[param.name] = param.default;
      else if (param.required)
        errors.push(`param "${param.name}" is required (${param.type}) and has no default`);
      continue;
    }
    const value = typeof raw === 'string' ? fromText(param, raw) : raw;
    const problem = value === undefined ? `is not ${article(param.type)}` : typeProblem(param, value);
    if (problem !== undefined || value === undefined) {
      errors.push(`param "${param.name}": ${JSON.stringify(raw)} ${problem ?? 'is not valid'}`);
      continue;
    }
    params[param.name] = value;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, params };
}

function fromText(param: Param, text: string): JsonValue | undefined {
  switch (param.type) {
    case 'string':
      return text;
    case 'integer':
    case 'number': {
      if (text.trim() === '') return undefined;
      const value = Number(text);
      return Number.isFinite(value) ? value : undefined;
    }
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : undefined;
    case 'array':
    case 'object':
      try {
        return JSON.parse(text) as JsonValue;
      } catch {
        return undefined;
      }
  }
}

function typeProblem(param: Param, value: JsonValue): string | undefined {
  const ok =
    param.type === 'string'
      ? typeof value === 'string'
      : param.type === 'integer'
        ? typeof value === 'number' && Number.isInteger(value)
        : param.type === 'number'
          ? typeof value === 'number'
          : param.type === 'boolean'
            ? typeof value === 'boolean'
            : param.type === 'array'
              ? Array.isArray(value)
              : typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!ok) return `is not ${article(param.type)}`;
  if (
    param.enum !== undefined &&
    !param.enum.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))
  ) {
    return `is not one of ${param.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return undefined;
}

function article(type: Param['type']): string {
  return type === 'integer' || type === 'array' || type === 'object' ? `an ${type}` : `a ${type}`;
}
