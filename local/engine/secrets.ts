import { existsSync, readFileSync } from 'node:fs';
import type { Secret, Workflow } from '../../compiler/ir.js';

/**
 * Local secret values. In AWS, ECS injects Secrets Manager and SSM values; on a laptop a secret
 * comes from, in order: the environment variable an `env://NAME` source names;
 * `WATERFLOW_SECRET_<NAME>` in the environment; `<name>=` in a `.env` file (beside the workflow,
 * then in the working directory). A JSON value answers `secretKeyRef.key`.
 */

export class MissingSecretsError extends Error {
  constructor(readonly missing: ReadonlyArray<Secret>) {
    super(
      missing
        .map(
          (secret) =>
            `secret "${secret.name}" (${secret.source}) has no local value: set ${localVariable(secret)} or add "${secret.name}=..." to a .env file`,
        )
        .join('\n'),
    );
    this.name = 'MissingSecretsError';
  }
}

function localVariable(secret: Secret): string {
  if (secret.scheme === 'env') return secret.id;
  return `WATERFLOW_SECRET_${secret.name.toUpperCase().replaceAll(/[^A-Z0-9]/g, '_')}`;
}

/** Reads `NAME=value` lines; `#` comments, `export ` and surrounding quotes as shells write them. */
export function parseDotEnv(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim().replace(/^export\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) {
      value = value.slice(1, -1);
    }
    values.set(line.slice(0, eq).trim(), value);
  }
  return values;
}

/** The value of every secret a job uses, or the list of those without one. */
export function resolveSecrets(
  workflow: Workflow,
  dotEnvDirs: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv = process.env,
): Map<string, string> {
  const dotEnv = new Map<string, string>();
  for (const dir of [...dotEnvDirs].reverse()) {
    const file = `${dir}/.env`;
    if (existsSync(file)) for (const [k, v] of parseDotEnv(readFileSync(file, 'utf8'))) dotEnv.set(k, v);
  }
  const used = new Set(
    workflow.jobs.flatMap((job) => job.env.flatMap((v) => ('secretRef' in v ? [v.secretRef.secret] : []))),
  );
  const values = new Map<string, string>();
  const missing: Secret[] = [];
  for (const secret of workflow.secrets) {
    if (!used.has(secret.name)) continue;
    const value = env[localVariable(secret)] ?? dotEnv.get(secret.name);
    if (value === undefined) missing.push(secret);
    else values.set(secret.name, value);
  }
  if (missing.length > 0) throw new MissingSecretsError(missing);
  return values;
}

/** A secret's value for one variable: the whole value, or `key` of its JSON object. */
export function secretValue(value: string, key: string | undefined): string {
  if (key === undefined) return value;
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed === 'object' && parsed !== null && key in parsed) {
      const field = (parsed as Record<string, unknown>)[key];
      return typeof field === 'string' ? field : JSON.stringify(field);
    }
  } catch {
    // Not JSON: a plain value has no keys.
  }
  return '';
}
