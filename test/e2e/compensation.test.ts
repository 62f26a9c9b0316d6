import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJsonOf, tempHomes, waterflow } from '../support/waterflow-process.js';

// `waterflow run` end to end with the host runner: compensations and onExit append to a file
// the run names in a param, so the order they ran in is on disk.

const homes = tempHomes();

async function run(...params: string[]) {
  const log = join(homes.current(), 'actions.log');
  const args = params.flatMap((param) => ['--param', param]);
  const finished = await waterflow(
    [
      'run',
      'test/fixtures/run/compensation.yaml',
      '--runner',
      'host',
      '--json',
      '--param',
      `log=${log}`,
      ...args,
    ],
    homes.current(),
  );
  const lines = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  return { finished, record: runJsonOf(finished), lines };
}

describe('waterflow run with compensate and onExit (host runner)', () => {
  it('compensates the succeeded jobs newest first, then runs onExit with the failed status', async () => {
    // Act
    const { finished, record, lines } = await run();

    // Assess
    expect(finished.code).toBe(1);
    expect(record).toMatchObject({ status: 'failed', reason: 'job last failed: exit code 1' });
    expect(lines).toStrictEqual(['undo third', 'undo second', 'undo first', 'exit failed failed']);
    expect(
      Object.fromEntries(Object.entries(record.jobs).map(([name, job]) => [name, job.status])),
    ).toStrictEqual({
      first: 'succeeded',
      second: 'succeeded',
      third: 'succeeded',
      last: 'failed',
      'third-compensate': 'succeeded',
      'second-compensate': 'succeeded',
      'first-compensate': 'succeeded',
      notify: 'succeeded',
    });
    expect(finished.stderr).toContain('[notify] exit failed failed');
  });

  it('shows the actions in waterflow status --json, and their logs in waterflow logs', async () => {
    // Prepare
    const { record } = await run();

    // Act
    const status = await waterflow(['status', record.runId, '--json'], homes.current());
    const logs = await waterflow(['logs', record.runId, 'first-compensate'], homes.current());

    // Assess
    const shown = JSON.parse(status.stdout) as typeof record;
    expect(shown.status).toBe('failed');
    expect(shown.jobs['first-compensate']).toMatchObject({ status: 'succeeded', attempts: 1, exitCode: 0 });
    expect(shown.jobs.notify).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(logs.stdout).toBe('[first-compensate] undo first\n');
  });

  it('runs no compensation on success and gives onExit the succeeded status', async () => {
    // Act
    const { finished, record, lines } = await run('code=0');

    // Assess
    expect(finished.code).toBe(0);
    expect(record.status).toBe('succeeded');
    expect(lines).toStrictEqual(['exit succeeded succeeded']);
    expect(Object.keys(record.jobs)).not.toContain('first-compensate');
  });
});

describe('the reason a run failed', () => {
  it('is the run timeout, not the onExit that failed after it', async () => {
    // Act
    const finished = await waterflow(
      ['run', 'test/fixtures/run/timeout-on-exit.yaml', '--runner', 'host', '--json'],
      homes.current(),
    );
    const record = runJsonOf(finished);

    // Assess
    expect(finished.code).toBe(1);
    expect(record.status).toBe('failed');
    expect(record.jobs['on-exit']?.status).toBe('failed');
    expect((record as unknown as { reason?: string }).reason).not.toContain('on-exit');
    expect((record as unknown as { reason?: string }).reason).toBe(
      'States.Timeout: the run timed out (spec.timeout)',
    );
  });
});
