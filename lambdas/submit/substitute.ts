import type { JsonValue } from '../../compiler/asl/types.js';

/** A substitution the compile output names but the platform has no value for; `code` is stable. */
export class MissingSubstitutionError extends Error {
  readonly code: 'WF9401';
  readonly names: ReadonlyArray<string>;

  constructor(names: ReadonlyArray<string>) {
    super(
      `the platform has no value for the definition substitution${names.length > 1 ? 's' : ''} ${names.join(', ')}; set ${names.length > 1 ? 'them' : 'it'} on the submit handler (docs/cloud.md, "submit")`,
    );
    this.name = 'Waterflow.MissingSubstitution';
    this.code = 'WF9401';
    this.names = names;
  }
}

const PLACEHOLDER = /\$\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/**
 * Replaces `${Name}` in every string of `value` for each name in `names` (the compile output's
 * `substitutions`); other `${...}` text, such as shell variables in sidecar scripts, stays.
 * CreateStateMachine has no DefinitionSubstitutions (that is CloudFormation's), hence this.
 */
export function substitute<T extends JsonValue>(
  value: T,
  names: ReadonlySet<string>,
  values: Readonly<Record<string, string>>,
): T {
  const missing = new Set<string>();
  const walk = (node: JsonValue): JsonValue => {
    if (typeof node === 'string') {
      return node.replace(PLACEHOLDER, (text, name: string) => {
        if (!names.has(name)) return text;
        const found = values[name];
        if (found === undefined) {
          missing.add(name);
          return text;
        }
        return found;
      });
    }
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object') {
      const copy: { [key: string]: JsonValue } = {};
      for (const [key, child] of Object.entries(node)) copy[key] = walk(child);
      return copy;
    }
    return node;
  };
  const result = walk(value) as T;
  if (missing.size > 0) throw new MissingSubstitutionError([...missing].sort());
  return result;
}
