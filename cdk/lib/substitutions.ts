import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { PermissionSpec } from '../../compiler/index.js';

/** Values of definition substitutions by name: plain strings or CDK token strings. */
export type SubstitutionValues = Readonly<Record<string, string>>;

/** A `${Name}` placeholder the stack has no value for. */
export class UnknownSubstitutionError extends Error {
  readonly code = 'WF9302';

  constructor(name: string, where: string) {
    super(`${where} uses the definition substitution \${${name}}, which the stack does not provide`);
    this.name = 'Waterflow.UnknownSubstitutionError';
  }
}

const PLACEHOLDER = /\$\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/**
 * Replaces the `${Name}` placeholders of `names` in `text` by their values. Other `${...}` text
 * (shell variables in sidecar scripts and commands) is left alone, as the compile output says.
 */
export function substitute(
  text: string,
  values: SubstitutionValues,
  names: ReadonlySet<string>,
  where: string,
): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    if (!names.has(name)) return whole;
    const value = values[name];
    if (value === undefined) throw new UnknownSubstitutionError(name, where);
    return value;
  });
}

/** The values of exactly `names`, for `definitionSubstitutions`; throws on a name without one. */
export function pick(
  values: SubstitutionValues,
  names: Iterable<string>,
  where: string,
): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = values[name];
    if (value === undefined) throw new UnknownSubstitutionError(name, where);
    picked[name] = value;
  }
  return picked;
}

/** A wildcard action would grant every action of a service: never allowed, whatever the spec says. */
export class WildcardActionError extends Error {
  readonly code = 'WF9303';

  constructor(sid: string, action: string) {
    super(`IAM statement ${sid} has the wildcard action "${action}"; name each action it needs`);
    this.name = 'Waterflow.WildcardActionError';
  }
}

/**
 * An IAM statement from a compiler `PermissionSpec`, its resources' placeholders replaced.
 * Every placeholder in a permission is a substitution, so all of them are replaced.
 */
export function toStatement(
  spec: PermissionSpec,
  values: SubstitutionValues,
  where: string,
): PolicyStatement {
  for (const action of spec.actions) {
    if (action.includes('*')) throw new WildcardActionError(spec.sid, action);
  }
  const all = new Set(Object.keys(values));
  const resolve = (text: string): string => {
    const missing = [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '').find((name) => !all.has(name));
    if (missing !== undefined) throw new UnknownSubstitutionError(missing, `${where} (${spec.sid})`);
    return substitute(text, values, all, where);
  };
  const conditions: Record<string, Record<string, string[]>> = {};
  for (const [operator, keys] of Object.entries(spec.conditions ?? {})) {
    const resolved: Record<string, string[]> = {};
    for (const [key, list] of Object.entries(keys)) resolved[resolve(key)] = list.map(resolve);
    conditions[operator] = resolved;
  }
  return new PolicyStatement({
    sid: spec.sid,
    effect: Effect.ALLOW,
    actions: [...spec.actions],
    resources: spec.resources.map(resolve),
    ...(spec.conditions === undefined ? {} : { conditions }),
  });
}
