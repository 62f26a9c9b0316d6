import { describe, expect, it } from 'vitest';
import type { StateMachine } from '../../compiler/asl/types.js';
import type { StateInfo } from '../../compiler/compile/output.js';
import { runCompiled } from '../support/local-sfn.js';
import {
  containerTask,
  gateTask,
  handWritten,
  position,
  releaseTask,
  runInput,
  timeline,
} from './helpers.js';

// One second of workflow time lasts a millisecond.
const timeScale = 0.001;

/**
 * Two branches: `a` then its `done` release; `b` then `c`, which also needs `a` through a gate.
 * That is how the compiler lowers a->c, b->c when `a` and `b` are independent branches.
 */
const gated: StateMachine = {
  StartAt: 'a, b',
  States: {
    'a, b': {
      Type: 'Parallel',
      Branches: [
        {
          StartAt: 'a',
          States: { a: containerTask('a', { Next: 'a done' }), 'a done': releaseTask('a', { End: true }) },
        },
        {
          StartAt: 'b',
          States: {
            b: containerTask('b', { Next: 'c gate' }, { ResultPath: null }),
            'c gate': gateTask('c', ['a'], { Next: 'c' }),
            c: containerTask('c', { End: true }),
          },
        },
      ],
      ResultSelector: {
        'params.$': '$[0].params',
        'run.$': '$[0].run',
        'jobs.$': 'States.JsonMerge($[0].jobs, $[1].jobs, false)',
        'gates.$': '$[1].gates',
      },
      End: true,
    },
  },
};

const gatedMap: { [state: string]: StateInfo } = {
  'a, b': { role: 'structure' },
  a: { job: 'a', role: 'run', kind: 'container' },
  'a done': { job: 'a', role: 'release' },
  b: { job: 'b', role: 'run', kind: 'container' },
  'c gate': { job: 'c', role: 'gate' },
  c: { job: 'c', role: 'run', kind: 'container' },
};

describe('the local Step Functions harness', () => {
  it('starts a gated job when its gate is released, not before', async () => {
    // Act
    const run = await runCompiled(handWritten(gated, gatedMap), {
      input: runInput(),
      jobs: { a: { durationMs: 200_000 }, b: { durationMs: 1_000 } },
      timeScale,
      validate: true,
    });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(position(run.events, 'b', 'end')).toBeLessThan(position(run.events, 'a', 'end'));
    expect(position(run.events, 'a', 'end')).toBeLessThan(position(run.events, 'c', 'start'));
    expect(run.output).toStrictEqual({
      params: {},
      run: { id: 'run-1' },
      jobs: { a: { r: 'success', ok: true, x: 0 }, c: { r: 'success', ok: true, x: 0 } },
      gates: { c: { a: { r: 'success', ok: true, x: 0 } } },
    });
  });

  it('lets a gated job whose gate was released early wait only for its own branch', async () => {
    // Act
    const run = await runCompiled(handWritten(gated, gatedMap), {
      input: runInput(),
      jobs: { a: { durationMs: 1_000 }, b: { durationMs: 200_000 } },
      timeScale,
    });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(timeline(run.events)).toStrictEqual([
      'a:start:1',
      'b:start:1',
      'a:end:1:success',
      'b:end:1:success',
      'c:start:1',
      'c:end:1:success',
    ]);
  });

  it('releases a job marked releasedOnSuccess when its task exits 0, as the recorder does', async () => {
    // Prepare: `a` has no `done` state; the ECS "task stopped" event releases it.
    const asl: StateMachine = {
      StartAt: 'a, b',
      States: {
        'a, b': {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'a', States: { a: containerTask('a', { End: true }, { ResultPath: null }) } },
            {
              StartAt: 'b',
              States: {
                b: containerTask('b', { Next: 'c gate' }, { ResultPath: null }),
                'c gate': gateTask('c', ['a'], { Next: 'c' }),
                c: containerTask('c', { End: true }, { ResultPath: null }),
              },
            },
          ],
          ResultPath: null,
          End: true,
        },
      },
    };
    const stateMap: { [state: string]: StateInfo } = {
      ...gatedMap,
      a: { job: 'a', role: 'run', kind: 'container', releasedOnSuccess: true },
    };

    // Act
    const run = await runCompiled(handWritten(asl, stateMap), {
      input: runInput(),
      jobs: { a: { durationMs: 200_000 } },
      timeScale,
    });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(position(run.events, 'a', 'end')).toBeLessThan(position(run.events, 'c', 'start'));
  });

  it('fails the run with the ECS task as the cause when a job exits non-zero, and stops the other branch', async () => {
    // Act
    const run = await runCompiled(handWritten(gated, gatedMap), {
      input: runInput(),
      jobs: { a: { durationMs: 1_000, exitCodes: [2] }, b: { durationMs: 200_000 } },
      timeScale,
    });

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('States.TaskFailed');
    expect(JSON.parse(run.cause ?? '')).toMatchObject({
      Containers: [{ Name: 'main', ExitCode: 2 }],
      StopCode: 'EssentialContainerExited',
    });
    expect(timeline(run.events)).toStrictEqual([
      'a:start:1',
      'b:start:1',
      'a:end:1:failure',
      'b:end:1:stopped',
    ]);
  });

  it('stops the jobs of the other branches when a Parallel fails, even when its failure is caught', async () => {
    // Prepare
    const asl: StateMachine = {
      StartAt: 'both',
      States: {
        both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'a', States: { a: containerTask('a', { End: true }) } },
            { StartAt: 'b', States: { b: containerTask('b', { End: true }) } },
          ],
          ResultPath: null,
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: 'cleanup' }],
          End: true,
        },
        cleanup: containerTask('cleanup', { End: true }, { ResultPath: null }),
      },
    };
    const stateMap: { [state: string]: StateInfo } = {
      both: { role: 'structure' },
      a: { job: 'a', role: 'run', kind: 'container' },
      b: { job: 'b', role: 'run', kind: 'container' },
      cleanup: { job: 'cleanup', role: 'run', kind: 'container' },
    };

    // Act
    const run = await runCompiled(handWritten(asl, stateMap), {
      input: runInput(),
      jobs: { a: { durationMs: 1_000, exitCodes: [1] }, b: { hang: true }, cleanup: { durationMs: 20_000 } },
      timeScale,
    });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.events[position(run.events, 'b', 'end')]?.outcome).toBe('stopped');
  });

  it('reports an image that cannot be pulled as a task that failed to start', async () => {
    // Act
    const run = await runCompiled(handWritten(gated, gatedMap), {
      input: runInput(),
      jobs: { a: { infrastructureFailure: true } },
      timeScale,
    });

    // Assess
    expect(run.status).toBe('FAILED');
    expect(JSON.parse(run.cause ?? '')).toMatchObject({
      StopCode: 'TaskFailedToStart',
      StoppedReason: expect.stringMatching(/^CannotPullContainerError: /),
    });
    expect(run.events[position(run.events, 'a', 'end')]?.outcome).toBe('infrastructure');
  });

  it('retries a failed attempt after the scaled backoff of its Retry', async () => {
    // Prepare
    const asl: StateMachine = {
      StartAt: 'flaky',
      States: {
        flaky: containerTask(
          'flaky',
          { End: true },
          {
            Retry: [
              { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 20, BackoffRate: 2, MaxAttempts: 2 },
            ],
          },
        ),
      },
    };

    // Act
    const run = await runCompiled(
      handWritten(asl, { flaky: { job: 'flaky', role: 'run', kind: 'container' } }),
      {
        input: runInput(),
        jobs: { flaky: { exitCodes: [1, 1, 0] } },
        timeScale,
      },
    );

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(timeline(run.events)).toStrictEqual([
      'flaky:start:1',
      'flaky:end:1:failure',
      'flaky:start:2',
      'flaky:end:2:failure',
      'flaky:start:3',
      'flaky:end:3:success',
    ]);
    const at = (kind: 'start' | 'end', attempt: number) =>
      run.events[position(run.events, 'flaky', kind, attempt)]?.at ?? 0;
    // Lower bounds only: 20 s, then 40 s, scaled; a timer may fire up to a millisecond early.
    expect(at('start', 2) - at('end', 1)).toBeGreaterThanOrEqual(20 - 1);
    expect(at('start', 3) - at('end', 2)).toBeGreaterThanOrEqual(40 - 1);
  });

  it('times out a hanging job and lets the stop state stop it', async () => {
    // Prepare
    const asl: StateMachine = {
      StartAt: 'slow',
      States: {
        slow: containerTask(
          'slow',
          { Next: 'done' },
          {
            TimeoutSeconds: 30,
            Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.err', Next: 'slow stop' }],
          },
        ),
        'slow stop': {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:ecs:listTasks',
          Parameters: {
            Cluster: '${ClusterArn}',
            'StartedBy.$': "States.Format('{}/slow', $$.Execution.Name)",
          },
          ResultPath: '$.err.tasks',
          Next: 'slow stop each',
        },
        'slow stop each': {
          Type: 'Map',
          ItemsPath: '$.err.tasks.TaskArns',
          ItemProcessor: {
            StartAt: 'slow stop task',
            States: {
              'slow stop task': {
                Type: 'Task',
                Resource: 'arn:aws:states:::aws-sdk:ecs:stopTask',
                Parameters: { Cluster: '${ClusterArn}', 'Task.$': '$' },
                End: true,
              },
            },
          },
          ResultPath: null,
          Next: 'slow failed',
        },
        'slow failed': { Type: 'Fail', Error: 'Waterflow.JobFailed', CausePath: '$.err.Error' },
        done: { Type: 'Succeed' },
      },
    };
    const stateMap: { [state: string]: StateInfo } = {
      slow: { job: 'slow', role: 'run', kind: 'container' },
      'slow stop': { job: 'slow', role: 'stop' },
      'slow stop each': { job: 'slow', role: 'stop' },
      'slow stop task': { job: 'slow', role: 'stop' },
      'slow failed': { job: 'slow', role: 'record' },
      done: { role: 'structure' },
    };

    // Act
    const run = await runCompiled(handWritten(asl, stateMap), {
      input: runInput(),
      jobs: { slow: { hang: true } },
      timeScale,
    });

    // Assess
    expect(run).toMatchObject({ status: 'FAILED', error: 'Waterflow.JobFailed', cause: 'States.Timeout' });
    expect(timeline(run.events)).toStrictEqual(['slow:start:1', 'slow:stop:1', 'slow:end:1:stopped']);
  });

  it('resolves an approval, or fails it with Waterflow.Rejected', async () => {
    // Prepare
    const asl: StateMachine = {
      StartAt: 'approve',
      States: {
        approve: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: {
            FunctionName: '${ApprovalFunctionArn}',
            Payload: { action: 'request', 'token.$': '$$.Task.Token', 'runId.$': '$.run.id', job: 'approve' },
          },
          ResultPath: '$.decision',
          End: true,
        },
      },
    };
    const output = handWritten(asl, { approve: { job: 'approve', role: 'run', kind: 'approval' } });

    // Act
    const approved = await runCompiled(output, { input: runInput(), timeScale });
    const rejected = await runCompiled(output, {
      input: runInput(),
      jobs: { approve: { decision: 'rejected' } },
      timeScale,
    });

    // Assess
    expect(approved.output).toMatchObject({ decision: { decision: 'approved' } });
    expect(rejected).toMatchObject({ status: 'FAILED', error: 'Waterflow.Rejected' });
    expect(timeline(rejected.events)).toStrictEqual(['approve:start:1', 'approve:end:1:failure']);
  });

  it('runs a part as a child execution and hands back its output', async () => {
    // Prepare
    const child: StateMachine = {
      StartAt: 'inner',
      States: { inner: containerTask('inner', { End: true }) },
    };
    const parent: StateMachine = {
      StartAt: 'part 1',
      States: {
        'part 1': {
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution.sync:2',
          Parameters: { StateMachineArn: '${StateMachineArnPrefix}wf-part-1', 'Input.$': '$' },
          ResultSelector: { 'jobs.$': '$.Output.jobs' },
          End: true,
        },
      },
    };
    const stateMap: { [state: string]: StateInfo } = {
      'part 1': { role: 'part', part: 'wf-part-1' },
      inner: { job: 'inner', role: 'run', kind: 'container' },
    };

    // Act
    const run = await runCompiled(handWritten(parent, stateMap, [{ name: 'wf-part-1', asl: child }]), {
      input: runInput(),
      timeScale,
    });

    // Assess
    expect(run.output).toStrictEqual({ jobs: { inner: { r: 'success', ok: true, x: 0 } } });
    expect(timeline(run.events)).toStrictEqual(['inner:start:1', 'inner:end:1:success']);
  });

  it('gives up on a run stuck at a gate nobody releases, naming the last states', async () => {
    // Prepare
    const asl: StateMachine = {
      StartAt: 'c gate',
      States: { 'c gate': gateTask('c', ['never'], { Next: 'c' }), c: containerTask('c', { End: true }) },
    };

    // Act
    const run = await runCompiled(handWritten(asl, gatedMap), {
      input: runInput(),
      timeScale,
      deadlineMs: 100,
    });

    // Assess
    expect(run).toMatchObject({ status: 'FAILED', error: 'Harness.Deadline' });
    expect(run.cause).toContain('StateEntered c gate');
    expect(run.events).toStrictEqual([]);
  });

  it('refuses a Task state that the state map does not describe', async () => {
    // Prepare
    const asl: StateMachine = { StartAt: 'x', States: { x: containerTask('x', { End: true }) } };

    // Act
    const running = runCompiled(handWritten(asl, {}), { input: runInput(), timeScale });

    // Assess
    await expect(running).rejects.toThrow('Task state "x" is not in stateMap');
  });
});
