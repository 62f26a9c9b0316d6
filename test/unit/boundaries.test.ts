import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { root } from '../support/files.js';

// The folder boundaries of DESIGN §1 are Biome rules; lint probe files that break them in a
// scratch copy of the configuration, so that the rules themselves are tested.
const probes: Record<string, string> = {
  'compiler/reads-files.ts': "import { readFileSync } from 'node:fs';\nexport const f = [readFileSync];\n",
  'compiler/imports-cli.ts': "import { main } from '../cli/main.js';\nexport const f = [main];\n",
  'compiler/imports-aws.ts':
    "import { SFNClient } from '@aws-sdk/client-sfn';\nexport const f = [SFNClient];\n",
  'compiler/pure.ts': "import { z } from 'zod';\nexport const f = [z];\n",
  'local/imports-cdk.ts': "import { Stack } from '../cdk/stack.js';\nexport const f = [Stack];\n",
  'local/imports-compiler.ts': "import { main } from '../compiler/index.js';\nexport const f = [main];\n",
  'cli/imports-cdk.ts': "import { Stack } from '../cdk/stack.js';\nexport const f = [Stack];\n",
  'cdk/imports-local.ts': "import { run } from '../local/run.js';\nexport const f = [run];\n",
};

const scratch = mkdtempSync(join(tmpdir(), 'waterflow-boundaries-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function lintProbes(): Map<string, string[]> {
  const config = JSON.parse(readFileSync(join(root, 'biome.json'), 'utf8'));
  config.vcs = { enabled: false };
  config.files = { includes: ['**'] };
  config.$schema = undefined;
  writeFileSync(join(scratch, 'biome.json'), JSON.stringify(config));
  for (const [path, text] of Object.entries(probes)) {
    mkdirSync(dirname(join(scratch, path)), { recursive: true });
    writeFileSync(join(scratch, path), text);
  }
  let output: string;
  try {
    output = execFileSync(join(root, 'node_modules/.bin/biome'), ['lint', '--reporter=json', '.'], {
      cwd: scratch,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    output = (error as { stdout: string }).stdout;
  }
  const report = JSON.parse(output) as {
    diagnostics: Array<{ category: string; location: { path: string } }>;
  };
  const byFile = new Map<string, string[]>();
  for (const d of report.diagnostics) {
    const file = d.location.path.replace(/^\.\//, '');
    byFile.set(file, [...(byFile.get(file) ?? []), d.category]);
  }
  return byFile;
}

describe('folder boundaries', () => {
  const found = lintProbes();
  const restricted = (file: string) => (found.get(file) ?? []).includes('lint/style/noRestrictedImports');

  it('keeps I/O, AWS clients and the other folders out of compiler/', () => {
    expect(restricted('compiler/reads-files.ts')).toBe(true);
    expect(restricted('compiler/imports-cli.ts')).toBe(true);
    expect(restricted('compiler/imports-aws.ts')).toBe(true);
    expect(restricted('compiler/pure.ts')).toBe(false);
  });

  it('lets local/ import compiler/ but not cdk/', () => {
    expect(restricted('local/imports-cdk.ts')).toBe(true);
    expect(restricted('local/imports-compiler.ts')).toBe(false);
  });

  it('keeps cdk/ out of cli/ and the local runtime out of cdk/', () => {
    expect(restricted('cli/imports-cdk.ts')).toBe(true);
    expect(restricted('cdk/imports-local.ts')).toBe(true);
  });
});
