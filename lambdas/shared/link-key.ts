import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type { LinkKey } from '../../runtime/approvals.js';

/** Reads the key approval links are signed with; cached, so a warm invocation makes no call. */
export type LinkKeySource = () => Promise<LinkKey>;

/** How long a fetched key is reused, in seconds: a rotated key is picked up within this time. */
export const LINK_KEY_MAX_AGE_SECONDS = 300;

/** The environment variables that name the key: a Secrets Manager secret, or an SSM SecureString. */
export const LINK_KEY_ENV = {
  secret: 'APPROVAL_LINK_KEY_SECRET',
  parameter: 'APPROVAL_LINK_KEY_PARAMETER',
} as const;

/**
 * The link key source the environment names: `APPROVAL_LINK_KEY_SECRET` (a Secrets Manager
 * secret id) or else `APPROVAL_LINK_KEY_PARAMETER` (an SSM parameter, decrypted). Powertools
 * Parameters caches the value for `LINK_KEY_MAX_AGE_SECONDS`.
 */
export function linkKeyFromEnv(env: NodeJS.ProcessEnv = process.env): LinkKeySource {
  const secret = env[LINK_KEY_ENV.secret];
  if (secret !== undefined && secret !== '') {
    const provider = new SecretsProvider();
    return async () => present(await provider.get(secret, { maxAge: LINK_KEY_MAX_AGE_SECONDS }), secret);
  }
  const parameter = env[LINK_KEY_ENV.parameter];
  if (parameter !== undefined && parameter !== '') {
    const provider = new SSMProvider();
    return async () =>
      present(await provider.get(parameter, { maxAge: LINK_KEY_MAX_AGE_SECONDS, decrypt: true }), parameter);
  }
  throw new Error(
    `neither ${LINK_KEY_ENV.secret} nor ${LINK_KEY_ENV.parameter} is set: the stack names the approval link key in one of them`,
  );
}

function present(value: string | Uint8Array | undefined, name: string): LinkKey {
  // The value itself never reaches a message: it is the key.
  if (value === undefined || value.length === 0) throw new Error(`the approval link key ${name} is empty`);
  return value;
}
