import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnResource } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../cdk/lib/app.js';
import { esbuildArgs } from '../../cdk/lib/bundling.js';
import { HANDLER_NAMES, handlerEntry, repoRoot } from '../../cdk/lib/handlers.js';

const root = repoRoot();
const work = mkdtempSync(join(tmpdir(), 'waterflow-bundling-'));

/** Each handler's asset directory after a synth that bundles, as the CLI's `cdk synth` does. */
function deployedAssets(): Map<string, string> {
  const outdir = join(work, 'cdk.out');
  const app = new App({
    outdir,
    context: { 'aws:cdk:bundling-stacks': ['**'], 'aws:cdk:enable-asset-metadata': true },
  });
  const stack = buildApp(app, { nag: false });
  app.synth();
  const assets = new Map<string, string>();
  for (const name of HANDLER_NAMES) {
    const fn = stack.handlers.functions[name].node.defaultChild;
    if (!(fn instanceof CfnResource)) throw new Error(`${name} has no CloudFormation function`);
    assets.set(name, join(outdir, String(fn.getMetadata('aws:asset:path'))));
  }
  return assets;
}

describe('handler bundles', () => {
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('are the same files, byte for byte, as the bundle bench builds with esbuildArgs', () => {
    // Prepare
    const assets = deployedAssets();
    for (const name of HANDLER_NAMES) {
      const outfile = join(work, 'bench', name, 'index.mjs');
      // Act
      execFileSync(
        join(root, 'node_modules', '.bin', 'esbuild'),
        [...esbuildArgs(join(root, handlerEntry(name)), outfile), '--log-level=error'],
        { cwd: root },
      );
      // Assess
      const deployed = join(assets.get(name) ?? '', 'index.mjs');
      expect(readFileSync(outfile).equals(readFileSync(deployed)), name).toBe(true);
    }
  });
});
