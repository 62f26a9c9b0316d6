import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

let out: string | undefined;

afterEach(() => {
  if (out !== undefined) rmSync(out, { recursive: true, force: true });
});

describe('waterflow compile', () => {
  it('writes the task definitions with their sidecars and the roles IAM beside the ASL', async () => {
    // Prepare
    out = mkdtempSync(join(tmpdir(), 'waterflow-compile-'));

    // Act
    const { code } = await runCli('compile', 'test/fixtures/artifacts/workflow.yaml', '-o', out);

    // Assess
    expect(code).toBe(0);
    const taskdefs = JSON.parse(readFileSync(join(out, 'artifacts.taskdefs.json'), 'utf8'));
    expect(taskdefs).toStrictEqual(
      JSON.parse(readFileSync('test/fixtures/artifacts/expected.taskdefs.json', 'utf8')),
    );
    const compiled = JSON.parse(readFileSync(join(out, 'artifacts.compile.json'), 'utf8'));
    expect(Object.keys(compiled)).toStrictEqual([
      'substitutions',
      'permissions',
      'taskRolePermissions',
      'executionRolePermissions',
      'schedules',
      'concurrency',
      'stateMap',
      'stats',
    ]);
    expect(compiled.taskRolePermissions.map((p: { sid: string }) => p.sid)).toStrictEqual([
      'ListUpstreamArtifacts',
      'ReadUpstreamArtifacts',
      'WriteJobOutputsAndArtifacts',
    ]);
  });
});

describe('waterflow compile -o', () => {
  it('makes the output directory and its missing parents', async () => {
    out = mkdtempSync(join(tmpdir(), 'waterflow-compile-'));
    const nested = join(out, 'a', 'b');

    const { code } = await runCli('compile', 'examples/hello.yaml', '-o', nested);

    expect(code).toBe(0);
    expect(readFileSync(join(nested, 'hello.asl.json'), 'utf8')).toContain('"StartAt"');
  });

  it('says in one line that it cannot write where a file stands in the path', async () => {
    out = mkdtempSync(join(tmpdir(), 'waterflow-compile-'));
    writeFileSync(join(out, 'file'), '');

    const { code, stderr } = await runCli('compile', 'examples/hello.yaml', '-o', join(out, 'file', 'x'));

    expect(code).toBe(2);
    expect(stderr).toBe(`waterflow: cannot write to ${join(out, 'file', 'x')}: ENOTDIR\n`);
  });

  it.skipIf(!existsSync('/proc/self'))(
    'fails at once, instead of spinning, where the system cannot make a directory (/proc)',
    async () => {
      // Node's own recursive mkdir loops forever on this path.
      const { code, stderr } = await runCli('compile', 'examples/hello.yaml', '-o', '/proc/waterflow-out');

      expect(code).toBe(2);
      expect(stderr).toBe('waterflow: cannot write to /proc/waterflow-out: ENOENT\n');
    },
    10_000,
  );
});
