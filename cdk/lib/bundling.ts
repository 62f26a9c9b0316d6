/**
 * esbuild settings every Lambda bundle shares, used by the stack (handlers.ts) and by the
 * bundle bench (bench/lambdas.ts), so that what is measured is what is deployed.
 */
import { type BundlingOptions, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';

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

/** Every handler's NODE_OPTIONS: stack traces in the logs point into the TypeScript sources. */
export const NODE_OPTIONS = '--enable-source-maps';

/**
 * The `bundling` options of every handler's NodejsFunction. No `tsconfig`: esbuild finds the
 * repository's for our sources, while one given on the command line applies to node_modules too,
 * whose `strict` then adds a needless "use strict" to some 300 SDK modules (4 KB).
 */
export const BUNDLING = {
  // The local esbuild; a missing one is an error rather than a silent Docker build.
  forceDockerBundling: false,
  minify: true,
  sourceMap: true,
  sourceMapMode: SourceMapMode.EXTERNAL,
  sourcesContent: false,
  // Lambda's oldest runtime is nodejs22.x, which runs a node20 bundle unchanged (handlers.ts).
  target: 'node20',
  format: OutputFormat.ESM,
  mainFields: MAIN_FIELDS,
  // The handlers are tested against the SDK versions of package-lock.json: ship those, all but
  // the credential providers Lambda never reaches.
  bundleAwsSDK: true,
  externalModules: EXTERNAL_MODULES,
  // Some CommonJS dependencies call require(); an ES module has none unless given one.
  banner:
    "import{createRequire as __wfCreateRequire}from'node:module';const require=__wfCreateRequire(import.meta.url);",
} satisfies BundlingOptions;

/**
 * The esbuild command-line arguments NodejsFunction runs for `BUNDLING` (aws-cdk-lib's
 * `Bundling.buildEsbuildArgs`, which does the same mapping), for the bench to build the same file.
 */
export function esbuildArgs(entry: string, outfile: string): string[] {
  const { minify, target, format, sourceMapMode, sourcesContent, externalModules, banner, mainFields } =
    BUNDLING;
  return [
    '--bundle',
    entry,
    `--target=${target}`,
    '--platform=node',
    `--format=${format}`,
    `--outfile=${outfile}`,
    ...(minify ? ['--minify'] : []),
    `--sourcemap=${sourceMapMode}`,
    ...(sourcesContent ? [] : ['--sources-content=false']),
    ...externalModules.map((name) => `--external:${name}`),
    `--banner:js=${banner}`,
    `--main-fields=${mainFields.join(',')}`,
  ];
}
