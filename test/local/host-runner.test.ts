import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { compileWorkflow } from '../../compiler/index.js';
import {
  type EcsTask,
  type RunAttempt,
  readOutputs,
  runOnHost,
  shortHash,
} from '../../local/runner/index.js';
import { type EcsTaskStateChange, jobEventFromEcs } from '../../runtime/job-events.js';

const scratch = mkdtempSync(join(tmpdir(), 'waterflow-host-runner-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let runs = 0;
const attempt = (fields: Partial<RunAttempt> & Pick<RunAttempt, 'script'>): RunAttempt => ({
  runId: 'hello-20261122-ab12',
  job: 'greet',
  attempt: 1,
  image: 'alpine:3.20',
  env: {},
  workdir: join(scratch, `run-${++runs}`, 'greet'),
  ...fields,
});

const failedTask = (result: Awaited<ReturnType<typeof runOnHost>>): EcsTask => {
  if (result.ok || result.error !== 'States.TaskFailed')
    throw new Error(`not a TaskFailed: ${JSON.stringify(result)}`);
  return JSON.parse(result.cause) as EcsTask;
};

/** Gone means ESRCH; this sandbox's PID 1 reaps orphans only about once a second, hence the wait. */
const expectGone = async (pid: number): Promise<void> => {
  await vi.waitFor(
    () => expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' })),
    {
      timeout: 5000,
      interval: 50,
    },
  );
};

describe('the host job runner', () => {
  it('returns the stopped task of a successful script and its outputs', async () => {
    // Prepare
    const run = attempt({
      script:
        'echo "greeting=Hello" >> "$WATERFLOW_OUTPUT"\necho "greeting=Hello, Ada" >> "$WATERFLOW_OUTPUT"',
    });

    // Act
    const result = await runOnHost(run);

    // Assess
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.task).toMatchObject({
      LastStatus: 'STOPPED',
      StopCode: 'EssentialContainerExited',
      Group: 'waterflow:greet',
      Containers: [{ Name: 'main', ExitCode: 0 }],
    });
    expect(readOutputs(run.workdir)).toStrictEqual({ greeting: 'Hello, Ada' });
  });

  it('reads heredoc outputs and starts each attempt with an empty outputs file', async () => {
    // Prepare
    const first = attempt({
      script: 'printf "notes<<EOF\\nline 1\\nline 2\\nEOF\\nx=1\\n" >> "$WATERFLOW_OUTPUT"',
    });
    await runOnHost(first);
    expect(readOutputs(first.workdir)).toStrictEqual({ notes: 'line 1\nline 2', x: '1' });

    // Act
    await runOnHost({ ...first, attempt: 2, script: 'echo "y=2" >> "$WATERFLOW_OUTPUT"' });

    // Assess
    expect(readOutputs(first.workdir)).toStrictEqual({ y: '2' });
  });

  it('fails with the task as the cause, shaped like the .sync Cause, when the script exits non-zero', async () => {
    // Act
    const result = await runOnHost(attempt({ script: 'exit 3' }));

    // Assess
    const task = failedTask(result);
    expect(task.StopCode).toBe('EssentialContainerExited');
    expect(task.Containers[0]?.ExitCode).toBe(3);
    expect(task.TaskArn).toMatch(/^arn:aws:ecs:local:000000000000:task\/waterflow\/[0-9a-f]{32}$/);
  });

  it('stops the script at the first failing command', async () => {
    // Act
    const lines: string[] = [];
    const result = await runOnHost(
      attempt({ script: 'echo one\nfalse\necho two', onLog: (line) => lines.push(line) }),
    );

    // Assess
    expect(failedTask(result).Containers[0]?.ExitCode).toBe(1);
    expect(lines).toStrictEqual(['one']);
  });

  it('runs in the workdir with the job env, Waterflow variables and no other host variables', async () => {
    // Prepare
    process.env.WATERFLOW_TEST_SECRET = 'leak';
    const run = attempt({
      attempt: 2,
      env: { GREETING: 'Hello' },
      script:
        'pwd\necho "$GREETING $WATERFLOW_RUN_ID $WATERFLOW_JOB $WATERFLOW_ATTEMPT"\necho "[${WATERFLOW_TEST_SECRET:-}]"\necho "$WATERFLOW_OUTPUT"',
    });
    const lines: string[] = [];

    // Act
    await runOnHost({ ...run, onLog: (line) => lines.push(line) });
    delete process.env.WATERFLOW_TEST_SECRET;

    // Assess
    expect(lines).toStrictEqual([
      run.workdir,
      'Hello hello-20261122-ab12 greet 2',
      '[]',
      join(run.workdir, '.waterflow-output'),
    ]);
  });

  it('streams stdout and stderr line by line and keeps them in attempt-<n>.log', async () => {
    // Prepare
    const logged: Array<[string, string]> = [];
    const run = attempt({
      attempt: 4,
      script: 'echo out\necho err >&2\nprintf "no newline"',
      onLog: (line, stream) => logged.push([stream, line]),
    });

    // Act
    await runOnHost(run);

    // Assess
    expect(logged).toContainEqual(['stdout', 'out']);
    expect(logged).toContainEqual(['stderr', 'err']);
    expect(logged).toContainEqual(['stdout', 'no newline']);
    expect(readFileSync(join(run.workdir, 'attempt-4.log'), 'utf8').split('\n').sort()).toStrictEqual([
      '',
      'err',
      'no newline',
      'out',
    ]);
  });

  it('times out and kills the whole process group, grandchildren included', async () => {
    // Prepare
    const run = attempt({ script: 'sleep 30 &\necho $! > grandchild.pid\nwait', timeoutMs: 300 });

    // Act
    const result = await runOnHost(run);

    // Assess
    expect(result).toMatchObject({ ok: false, error: 'States.Timeout' });
    if (!result.ok) expect(result.cause).toContain('timed out after 300 ms');
    await expectGone(Number(readFileSync(join(run.workdir, 'grandchild.pid'), 'utf8')));
  });

  it('kills a script that ignores SIGTERM after the grace period', async () => {
    // Prepare: an ignored TERM is inherited, so the grandchild sleep ignores it too.
    const run = attempt({
      script: "trap '' TERM\nsleep 30 &\necho $! > grandchild.pid\nwait",
      timeoutMs: 200,
      killGraceMs: 200,
    });

    // Act
    const result = await runOnHost(run);

    // Assess
    expect(result).toMatchObject({ ok: false, error: 'States.Timeout' });
    await expectGone(Number(readFileSync(join(run.workdir, 'grandchild.pid'), 'utf8')));
  });

  it('stops the attempt when the caller aborts, as a task stopped by the user', async () => {
    // Prepare
    const controller = new AbortController();
    const run = attempt({
      script: 'sleep 30 &\necho $! > grandchild.pid\necho started\nwait',
      signal: controller.signal,
      onLog: (line) => line === 'started' && controller.abort(),
    });

    // Act
    const result = await runOnHost(run);

    // Assess
    const task = failedTask(result);
    expect(task.StopCode).toBe('UserInitiated');
    expect(task.Containers[0]?.ExitCode).toBe(143);
    await expectGone(Number(readFileSync(join(run.workdir, 'grandchild.pid'), 'utf8')));
  });

  it('reports a missing interpreter as a task that failed to start', async () => {
    // Act: the runner looks `sh` up on the job's PATH.
    const result = await runOnHost(attempt({ env: { PATH: join(scratch, 'no-such-bin') }, script: 'true' }));

    // Assess
    const task = failedTask(result);
    expect(task.StopCode).toBe('TaskFailedToStart');
    expect(task.StoppedReason).toMatch(/^CannotStartContainerError: /);
    expect(task.Containers).toStrictEqual([{ Name: 'main' }]);
  });

  it('reports a workdir that cannot be created as a task that failed to start', async () => {
    // Prepare
    const file = join(scratch, 'a-file');
    writeFileSync(file, '');
    const events: EcsTaskStateChange[] = [];

    // Act
    const result = await runOnHost(
      attempt({ workdir: join(file, 'greet'), script: 'true', onEvent: (e) => events.push(e) }),
    );

    // Assess
    expect(failedTask(result)).toMatchObject({
      StopCode: 'TaskFailedToStart',
      Containers: [{ Name: 'main' }],
    });
    expect(events.map((e) => jobEventFromEcs(e))).toStrictEqual([
      expect.objectContaining({
        kind: 'ended',
        infrastructure: true,
        reason: expect.stringMatching(/^infrastructure: CannotStartContainerError: /),
      }),
    ]);
  });

  it('emits RUNNING then STOPPED events that the recorder reads as the job starting and ending', async () => {
    // Prepare
    const events: EcsTaskStateChange[] = [];

    // Act
    await runOnHost(attempt({ script: 'exit 3', onEvent: (e) => events.push(e) }));

    // Assess
    const jobEvents = events.map((e) => jobEventFromEcs(e));
    expect(jobEvents).toStrictEqual([
      expect.objectContaining({ kind: 'started', runId: 'hello-20261122-ab12', job: 'greet' }),
      expect.objectContaining({
        kind: 'ended',
        runId: 'hello-20261122-ab12',
        job: 'greet',
        exitCode: 3,
        infrastructure: false,
      }),
    ]);
    expect(events[0]?.taskArn).toBe(events[1]?.taskArn);
    expect(events[0]?.startedBy).toBe(`hello-20261122-ab12/${shortHash('greet')}`);
  });

  it('tags StartedBy with the same job hash as the compiler', () => {
    // Prepare
    const text = readFileSync(join(import.meta.dirname, '../../examples/hello.yaml'), 'utf8');

    // Act
    const { output } = compileWorkflow(text, 'hello.yaml');

    // Assess
    expect(JSON.stringify(output)).toContain(`'{}/${shortHash('greet')}'`);
    expect(shortHash('a')).toBe('e40c292c');
  });
});
