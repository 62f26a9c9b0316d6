import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
