/**
 * `npm run bench:lambdas`: each Lambda handler (`lambdas/<name>/handler.ts`) bundled as the CDK
 * app bundles it (cdk/lib/bundling.ts: esbuild, minified, ESM, Node 20), its size, and the time its
 * module initialisation takes in a fresh Node process (the cold-start work that is ours: imports, SDK
 * clients, Powertools). Targets (issue 6): at most 1 MB per bundle and 150 ms per initialisation.
 * Prints PASS/FAIL lines and writes bench/LAMBDAS.md.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { esbuildArgs, NODE_OPTIONS } from '../cdk/lib/bundling.js';
import { repoRoot } from './simulator/repo-root.js';

const MAX_BYTES = 1024 * 1024;
const MAX_INIT_MS = 150;
/** Fresh processes per handler; the median is reported. */
const RUNS = 7;

interface Figure {
  readonly name: string;
  readonly bytes: number;
  readonly initMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

/** Every environment variable a handler reads with `requiredEnv`, set to a harmless dummy. */
function dummyEnv(root: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const file of sources(join(root, 'lambdas'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(/requiredEnv\(\s*['"]([A-Z0-9_]+)['"]/g)) {
      env[match[1] as string] = dummyValue(match[1] as string);
    }
  }
  return env;
}

function dummyValue(name: string): string {
  if (name.endsWith('_ARN')) return `arn:aws:sns:us-east-1:000000000000:${name.toLowerCase()}`;
  if (name.endsWith('_URL')) return 'https://example.invalid/';
  return `bench-${name.toLowerCase()}`;
}

/** What the stack sets besides `requiredEnv` names (cdk/lib/handler-wiring.ts), in the shapes read. */
const STACK_ENV: Record<string, string> = {
  APPROVAL_LINK_KEY_SECRET: 'waterflow/approval-link-key',
  STATE_MACHINE_ARN_PREFIX: 'arn:aws:states:us-east-1:000000000000:stateMachine:',
  DEFINITION_SUBSTITUTIONS: '{}',
  JOB_LOG_GROUP: '/waterflow/jobs',
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The stack's esbuild run (cdk/lib/bundling.ts): the same flags, so the same file and source map. */
function bundle(root: string, entry: string, outfile: string): number {
  execFileSync(
    join(root, 'node_modules', '.bin', 'esbuild'),
    [...esbuildArgs(entry, outfile), '--log-level=warning'],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  return statSync(outfile).size;
}

/** One fresh process: the time from before the bundle's import to after it. */
function initOnce(bundlePath: string, env: Record<string, string>): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(bundlePath)}); process.stdout.write(String(performance.now() - t));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: {
      PATH: process.env.PATH ?? '',
      ...env,
      ...STACK_ENV,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_LAMBDA_FUNCTION_NAME: 'bench',
      POWERTOOLS_DEV: 'false',
      // As the stack sets it: Node then reads the bundle's source map as it loads the bundle.
      NODE_OPTIONS,
    },
    encoding: 'utf8',
  });
  if (run.status !== 0) {
    const lines = run.stderr.split('\n').filter((line) => /Error/.test(line) && line.length < 400);
    throw new Error(`its module initialisation failed: ${lines[0] ?? `exit ${run.status}`}`);
  }
  return Number(run.stdout);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function main(): void {
  const root = repoRoot();
  const handlers = readdirSync(join(root, 'lambdas'))
    .filter((name) => existsSync(join(root, 'lambdas', name, 'handler.ts')))
    .sort();
  const env = dummyEnv(root);
  // Inside the repository, so that anything left out of a bundle resolves from node_modules/.
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const out = mkdtempSync(join(cache, 'waterflow-lambdas-'));
  const figures: Figure[] = [];
  try {
    for (const name of handlers) {
      // index.mjs, as the stack names it: the source map comment at its end is the same.
      const file = join(out, name, 'index.mjs');
      const bytes = bundle(root, join(root, 'lambdas', name, 'handler.ts'), file);
      const times = Array.from({ length: RUNS }, () => initOnce(file, env));
      figures.push({
        name,
        bytes,
        initMs: median(times),
        minMs: Math.min(...times),
        maxMs: Math.max(...times),
      });
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  const checks = figures.flatMap((f) => [
    `- ${f.bytes <= MAX_BYTES ? 'PASS' : 'FAIL'} ${f.name}: bundle ${(f.bytes / 1024).toFixed(0)} KiB <= 1024 KiB`,
    `- ${f.initMs <= MAX_INIT_MS ? 'PASS' : 'FAIL'} ${f.name}: module initialisation ${f.initMs.toFixed(0)} ms <= ${MAX_INIT_MS} ms`,
  ]);
  const report = `# Lambda handler bench

Command: \`npm run bench:lambdas\` (\`bench/lambdas.ts\`). Date: ${new Date().toISOString()}.
Machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.

Each \`lambdas/<name>/handler.ts\` bundled with esbuild as the CDK app bundles it (minified, ESM,
Node 20, the AWS SDK bundled as the stack ships it), then imported in ${RUNS} fresh Node processes
with dummy configuration and credentials (nothing is called): the median time of the \`import()\`
is the module initialisation a cold start pays on top of the Lambda runtime's own.

The bundle options are the stack's own (\`BUNDLING\` in \`cdk/lib/bundling.ts\`, turned into the
flags NodejsFunction passes esbuild, external source map included), and the bundles are imported
with the stack's \`NODE_OPTIONS\` (\`--enable-source-maps\`). No \`--tsconfig\`: given on the
command line it applied to node_modules too, whose \`strict\` added a "use strict" to some 300 SDK
modules (4 KB a bundle, deployed but not measured until then). The SDK's ESM builds first
(\`mainFields: module, main\`; its CommonJS builds defeat tree shaking, and this bench used to
bundle them while the stack did not: submit measured 1,407 KiB for a deployed 1,040 KiB), and
the four credential providers the SDK's default chain imports only when the environment has no
credentials left out (Lambda always sets them, and its runtime ships those packages). Leaving
the whole SDK out instead (the runtime has one) makes bundles small but initialisation slow
(about 240 ms for submit), since the runtime's SDK then loads as hundreds of files; parsing is
most of a bundle's initialisation (about 40 ms per MB here). Importing zod as a namespace
(\`import * as z\`) lets esbuild drop its 258 KiB of message translations. Submit and runs-api
are the largest: they carry the compiler (yaml and js-yaml, zod, the compiler itself). Of
submit's 951 KiB, by esbuild's metafile: the AWS SDK 445 KiB (\`@smithy/core\` 137, the S3
client 100, two thirds of it a schema table that esbuild keeps whole, unable to prove its
entries' computed keys free of side effects), the compiler 137, yaml 113, zod 98, js-yaml 43,
Powertools 70.

| handler | bundle KiB | init ms (median) | min-max ms |
|---|---:|---:|---|
${figures.map((f) => `| ${f.name} | ${(f.bytes / 1024).toFixed(0)} | ${f.initMs.toFixed(1)} | ${f.minMs.toFixed(1)}-${f.maxMs.toFixed(1)} |`).join('\n')}

${checks.join('\n')}
`;
  writeFileSync(join(root, 'bench', 'LAMBDAS.md'), report);
  console.log(report);
}

main();
