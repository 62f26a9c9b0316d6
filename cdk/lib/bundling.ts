/**
 * esbuild settings every Lambda bundle shares, used by the stack (handlers.ts) and by the
 * bundle bench (bench/lambdas.ts), so that what is measured is what is deployed.
 */

/** ESM builds first: the SDK's CommonJS builds defeat tree shaking (about 370 KB more in submit). */
export const MAIN_FIELDS = ['module', 'main'];

/**
 * Left out of the bundles: the credential providers the SDK's default chain imports (with
 * `import()`) only when the environment holds no credentials. Lambda always sets them, and its
 * Node.js runtime ships these packages besides; bundled, they and the STS and SSO clients they
 * use were about 90 KB of every bundle.
 */
export const EXTERNAL_MODULES = [
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
];
