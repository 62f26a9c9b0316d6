import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../compiler/asl/types.js';
import { compileWorkflow } from '../../compiler/compile/compile.js';
import type { CompileOutput } from '../../compiler/compile/output.js';
import { type FakeJob, type RunCompiledResult, runCompiled } from '../support/local-sfn.js';
import { job, workflowYaml } from '../support/workflow.js';
import { runInput, timeline } from './helpers.js';

// Compensation and onExit (DESIGN §2) executed by aws-local-stepfunctions. One second of
// workflow time lasts a millisecond.
const timeScale = 0.001;

function compiled(spec: Record<string, unknown>): CompileOutput {
  const { output, diagnostics } = compileWorkflow(workflowYaml(spec), 'test.yaml');
  if (output === undefined) throw new Error(diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  return output;
}

function run(spec: Record<string, unknown>, jobs: { [name: string]: FakeJob }) {
  return runCompiled(compiled(spec), { input: runInput(), jobs, timeScale });
}

/** A job that runs `seconds` and has a compensate action named `undo-<name>`. */
function undoable(name: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return job(name, {
    compensate: { name: `undo-${name}`, container: 'alpine:3.20', commands: [`echo undo ${name}`] },
    ...fields,
  });
}

const onExit = {
  name: 'notify',
  container: 'alpine:3.20',
  commands: ['echo ended with ${{ run.status }}'],
};

/** The entries that started, in order, among `names`. */
function started(result: RunCompiledResult, names: ReadonlyArray<string>): string[] {
  return result.events.filter((e) => e.kind === 'start' && names.includes(e.job)).map((e) => e.job);
}

/** What one ECS task of the run was started with: its WATERFLOW_RUN_STATUS and its script. */
function rendered(result: RunCompiledResult, entry: string): { status?: string; script?: string } {
  const found = result.taskParameters.find((t) => t.job === entry)?.parameters;
  const container = (found as { Overrides?: { ContainerOverrides?: JsonValue[] } } | undefined)?.Overrides
    ?.ContainerOverrides?.[0] as
    | { Command?: string[]; Environment?: Array<{ Name: string; Value?: string }> }
    | undefined;
  const status = container?.Environment?.find((v) => v.Name === 'WATERFLOW_RUN_STATUS')?.Value;
  const script = container?.Command?.[2];
  return { ...(status === undefined ? {} : { status }), ...(script === undefined ? {} : { script }) };
}

const UNDO = ['undo-a', 'undo-b', 'undo-c', 'undo-d', 'undo-e'];

describe('compensation and onExit on the local Step Functions harness', () => {
  it('compensates the jobs that succeeded in reverse completion order after a failure', async () => {
    // Prepare: a, b and c end at 30 s, 10 s and 20 s; d fails at 50 s; e never runs.
    const spec = {
      stages: [
        {
          name: 's',
          jobs: [undoable('a'), undoable('b'), undoable('c'), undoable('d'), undoable('e', { needs: ['d'] })],
        },
      ],
    };
    const jobs = {
      a: { durationMs: 30_000 },
      b: { durationMs: 10_000 },
      c: { durationMs: 20_000 },
      d: { durationMs: 50_000, exitCodes: [1] },
    };

    // Act
    const result = await run(spec, jobs);

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.TaskFailed');
    expect(started(result, UNDO)).toStrictEqual(['undo-a', 'undo-c', 'undo-b']);
    const undo = timeline(result.events).filter((line) => line.startsWith('undo-'));
    // One at a time: each ends before the next starts.
    expect(undo).toStrictEqual([
      'undo-a:start:1',
      'undo-a:end:1:success',
      'undo-c:start:1',
      'undo-c:end:1:success',
      'undo-b:start:1',
      'undo-b:end:1:success',
    ]);
  });

  it('runs no compensation when the run succeeds', async () => {
    // Act
    const result = await run({ stages: [{ name: 's', jobs: [undoable('a'), undoable('b')] }] }, {});

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(started(result, UNDO)).toStrictEqual([]);
  });

  it('goes on with the next compensation and onExit when a compensation fails', async () => {
    // Prepare
    const spec = {
      stages: [
        { name: 's', jobs: [undoable('a'), undoable('b', { needs: ['a'] }), job('c', { needs: ['b'] })] },
      ],
      onExit,
    };

    // Act
    const result = await run(spec, { c: { exitCodes: [1] }, 'undo-b': { exitCodes: [3] } });

    // Assess
    expect(result.status).toBe('FAILED');
    // The run fails with the job's own error, not the compensation's.
    expect(result.error).toBe('States.TaskFailed');
    expect(result.cause).toContain('task/waterflow/c-1');
    expect(started(result, [...UNDO, 'notify'])).toStrictEqual(['undo-b', 'undo-a', 'notify']);
    expect(timeline(result.events)).toContain('undo-b:end:1:failure');
  });

  it('hands a compensation the outputs of the upstream jobs it reads', async () => {
    // Prepare
    const spec = {
      stages: [
        {
          name: 's',
          jobs: [
            job('backup', { outputs: ['backupId'] }),
            job('migrate', {
              needs: ['backup'],
              compensate: {
                container: 'postgres:16',
                commands: ['restore ${{ needs.backup.outputs.backupId }} (${{ needs.backup.result }})'],
              },
            }),
            job('verify', { needs: ['migrate'] }),
          ],
        },
      ],
    };

    // Act
    const result = await run(spec, { backup: { outputs: { backupId: 'b-42' } }, verify: { exitCodes: [1] } });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(rendered(result, 'migrate-compensate').script).toBe('restore b-42 (success)');
  });

  it('runs onExit with run.status succeeded after a successful run', async () => {
    // Act
    const result = await run({ stages: [{ name: 's', jobs: [job('a'), job('b')] }], onExit }, {});

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(started(result, ['a', 'b', 'notify']).at(-1)).toBe('notify');
    expect(rendered(result, 'notify')).toStrictEqual({
      status: 'succeeded',
      script: 'echo ended with succeeded',
    });
  });

  it('runs onExit with run.status failed after a failed run, and the run still fails', async () => {
    // Act
    const result = await run(
      { stages: [{ name: 's', jobs: [job('a')] }], onExit },
      { a: { exitCodes: [1] } },
    );

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.TaskFailed');
    expect(rendered(result, 'notify')).toStrictEqual({ status: 'failed', script: 'echo ended with failed' });
  });

  it('runs onExit after a failFast: false failure, once every other job has ended', async () => {
    // Prepare
    const spec = { failFast: false, stages: [{ name: 's', jobs: [job('a'), job('b')] }], onExit };

    // Act
    const result = await run(spec, { a: { exitCodes: [1] }, b: { durationMs: 20_000 } });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('Waterflow.RunFailed');
    expect(timeline(result.events).slice(-2)).toStrictEqual(['notify:start:1', 'notify:end:1:success']);
    expect(rendered(result, 'notify').status).toBe('failed');
  });

  it('keeps the run succeeded when onExit fails', async () => {
    // Act
    const result = await run(
      { stages: [{ name: 's', jobs: [job('a')] }], onExit },
      { notify: { exitCodes: [1] } },
    );

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(timeline(result.events)).toContain('notify:end:1:failure');
  });

  it('stops the run at spec.timeout and still compensates and runs onExit', async () => {
    // Prepare: a succeeds, b would run for ever; the run may take 10 minutes.
    const spec = {
      timeout: '10m',
      stages: [{ name: 's', jobs: [undoable('a'), undoable('b', { needs: ['a'] })] }],
      onExit,
    };

    // Act
    const result = await run(spec, { b: { hang: true } });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Timeout');
    expect(timeline(result.events)).toContain('b:end:1:stopped');
    expect(started(result, [...UNDO, 'notify'])).toStrictEqual(['undo-a', 'notify']);
    expect(rendered(result, 'notify').status).toBe('failed');
  });

  it('ends a run with a timer as soon as its body succeeds', async () => {
    // Act: the run may take a day; its one job takes a second.
    const result = await run(
      { timeout: '1d', stages: [{ name: 's', jobs: [job('a')] }], onExit },
      { a: { durationMs: 1_000 } },
    );

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(rendered(result, 'notify').status).toBe('succeeded');
  });
});
