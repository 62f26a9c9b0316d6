import { describe, expect, it } from 'vitest';
import { compileWorkflow } from '../../compiler/compile/compile.js';
import type { CompileOutput } from '../../compiler/compile/output.js';
import { type FakeJob, type JobEvent, runCompiled } from '../support/local-sfn.js';
import { job, workflowYaml } from '../support/workflow.js';
import { position, runInput, timeline } from './helpers.js';

// One second of workflow time lasts a millisecond.
const timeScale = 0.001;

/** Compiles a spec that must compile. */
function compiled(spec: Record<string, unknown>): CompileOutput {
  const { output, diagnostics } = compileWorkflow(workflowYaml(spec), 'test.yaml');
  if (output === undefined) throw new Error(diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  return output;
}

function run(spec: Record<string, unknown>, jobs: { [name: string]: FakeJob }) {
  return runCompiled(compiled(spec), { input: runInput(), jobs, timeScale });
}

describe('compiled workflows on the local Step Functions harness', () => {
  it('starts c of the N shape when a ends, not when the slow b ends', async () => {
    // Act
    const result = await run(
      {
        stages: [
          {
            name: 'all',
            jobs: [job('a'), job('b'), job('c', { needs: ['a'] }), job('d', { needs: ['a', 'b'] })],
          },
        ],
      },
      { a: { durationMs: 1_000 }, b: { durationMs: 300_000 }, c: { durationMs: 1_000 } },
    );

    // Assess
    const { events } = result;
    expect(result.status).toBe('SUCCEEDED');
    expect(position(events, 'a', 'end')).toBeLessThan(position(events, 'c', 'start'));
    expect(position(events, 'c', 'end')).toBeLessThan(position(events, 'b', 'end'));
    expect(position(events, 'b', 'end')).toBeLessThan(position(events, 'd', 'start'));
  });

  it('waits the computed exponential delays between attempts', async () => {
    // Act
    const result = await run(
      {
        stages: [
          {
            name: 's',
            jobs: [
              job('flaky', { retry: { maxAttempts: 3, backoff: 'exponential', delay: '20s', factor: 2 } }),
            ],
          },
        ],
      },
      { flaky: { exitCodes: [1, 1, 0] } },
    );

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    // 20 s then 40 s, scaled to ms; lower bounds only, a timer may fire up to a millisecond early.
    const [first, second] = waits(result.events, 'flaky');
    expect(first).toBeGreaterThanOrEqual(20 - 1);
    expect(second).toBeGreaterThanOrEqual(40 - 1);
  });

  it('waits the computed linear delays between attempts', async () => {
    // Act
    const result = await run(
      {
        stages: [
          { name: 's', jobs: [job('flaky', { retry: { maxAttempts: 3, backoff: 'linear', delay: '20s' } })] },
        ],
      },
      { flaky: { exitCodes: [1, 1, 0] } },
    );

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    // 20 s then 40 s, scaled to ms; lower bounds only, a timer may fire up to a millisecond early.
    const [first, second] = waits(result.events, 'flaky');
    expect(first).toBeGreaterThanOrEqual(20 - 1);
    expect(second).toBeGreaterThanOrEqual(40 - 1);
  });

  it('fails the run and stops the other jobs at the first failure with failFast', async () => {
    // Act
    const result = await run(
      {
        failFast: true,
        stages: [{ name: 's', jobs: [job('a'), job('b'), job('c', { needs: ['a'] })] }],
      },
      { a: { durationMs: 1_000, exitCodes: [1] }, b: { durationMs: 200_000 } },
    );

    // Assess
    expect(result.status).toBe('FAILED');
    expect(timeline(result.events)).toStrictEqual([
      'a:start:1',
      'b:start:1',
      'a:end:1:failure',
      'b:end:1:stopped',
    ]);
  });

  it('runs the dependants of a job that continues on failure, and the run succeeds', async () => {
    // Act
    const result = await run(
      {
        stages: [{ name: 's', jobs: [job('a', { continueOnFailure: true }), job('c', { needs: ['a'] })] }],
      },
      { a: { exitCodes: [1] } },
    );

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(timeline(result.events)).toStrictEqual([
      'a:start:1',
      'a:end:1:failure',
      'c:start:1',
      'c:end:1:success',
    ]);
  });

  it('treats an exit code with an Ignore rule as a success', async () => {
    // Act
    const result = await run(
      {
        stages: [
          {
            name: 's',
            jobs: [
              job('scan', {
                retry: { maxAttempts: 3, backoff: 'fixed', delay: '10s' },
                exitCodes: [{ action: 'Ignore', operator: 'In', values: [3] }],
              }),
              job('after', { needs: ['scan'] }),
            ],
          },
        ],
      },
      { scan: { exitCodes: [3] } },
    );

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(timeline(result.events)).toStrictEqual([
      'scan:start:1',
      'scan:end:1:failure',
      'after:start:1',
      'after:end:1:success',
    ]);
  });

  it('never retries an exit code with a FailJob rule', async () => {
    // Act
    const result = await run(
      {
        stages: [
          {
            name: 's',
            jobs: [
              job('scan', {
                retry: { maxAttempts: 3, backoff: 'fixed', delay: '10s' },
                exitCodes: [{ action: 'FailJob', operator: 'In', values: [42] }],
              }),
            ],
          },
        ],
      },
      { scan: { exitCodes: [42, 0] } },
    );

    // Assess
    expect(result.status).toBe('FAILED');
    expect(timeline(result.events)).toStrictEqual(['scan:start:1', 'scan:end:1:failure']);
  });

  it('stops the task of a job past its timeout and fails the run with States.Timeout', async () => {
    // Act
    const result = await run(
      { stages: [{ name: 's', jobs: [job('slow', { timeout: '5m' })] }] },
      { slow: { hang: true } },
    );

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(timeline(result.events)).toStrictEqual(['slow:start:1', 'slow:stop:1', 'slow:end:1:stopped']);
  });
});

/** How long each retry of `job` waited after the attempt before it ended, in real ms. */
function waits(events: ReadonlyArray<JobEvent>, job: string): number[] {
  const at = (kind: 'start' | 'end', attempt: number) =>
    events[position(events, job, kind, attempt)]?.at ?? 0;
  return events
    .filter((e) => e.job === job && e.kind === 'start' && e.attempt > 1)
    .map(({ attempt }) => at('start', attempt) - at('end', attempt - 1));
}
