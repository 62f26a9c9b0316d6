import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureOutput, handlerEnv, lambdaContext, loadEvent } from '../support/lambda.js';
import { startDynalite, type TestDynamo } from './support/dynalite.js';

// The gate Lambda through its entry point, over dynalite, with Step Functions replaced at the SDK
// edge: the payloads are those the compiler emits for `<job> gate` and `<job> done` states.

interface GateEvent {
  readonly action: string;
  readonly runId: string;
  readonly job: string;
  readonly upstream?: ReadonlyArray<string>;
  readonly token?: string;
  readonly result?: unknown;
}

let dynamo: TestDynamo;
let sfn: AwsClientStub<SFNClient>;
let invoke: (event: unknown) => Promise<unknown>;

beforeAll(async () => {
  dynamo = await startDynalite();
  handlerEnv(dynamo.endpoint, await dynamo.newTable(), {
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
    POWERTOOLS_LOGGER_LOG_EVENT: 'true',
  });
  sfn = mockClient(SFNClient);
  const { handler } = await import('../../lambdas/gates/handler.js');
  const call = handler as unknown as (
    event: unknown,
    context: ReturnType<typeof lambdaContext>,
  ) => Promise<unknown>;
  invoke = (event) => call(event, lambdaContext('gates'));
});

afterAll(async () => {
  sfn.restore();
  await dynamo.close();
});

beforeEach(() => {
  sfn.reset();
  sfn.on(SendTaskSuccessCommand).resolves({});
});

/** The fixture, in a run of its own. */
function gateEvent(
  name: 'gate-wait' | 'gate-release',
  runId: string,
  change: Partial<GateEvent> = {},
): GateEvent {
  return { ...loadEvent<GateEvent>('lambda', name), runId, ...change };
}

function answers(): Array<{ token: string | undefined; output: unknown }> {
  return sfn.commandCalls(SendTaskSuccessCommand).map(({ args }) => ({
    token: args[0].input.taskToken,
    output: JSON.parse(args[0].input.output ?? 'null'),
  }));
}

describe('the gate handler', () => {
  it('answers a waiting gate once its last upstream job is released, with their results', async () => {
    // Prepare
    const wait = gateEvent('gate-wait', 'run-wait-first');
    const a = gateEvent('gate-release', 'run-wait-first');
    const b = gateEvent('gate-release', 'run-wait-first', {
      job: 'b',
      result: { r: 'success', ok: true, o: { v: '1' } },
    });

    // Act
    const waited = await invoke(wait);
    const first = await invoke(a);
    const last = await invoke(b);

    // Assess
    expect(waited).toStrictEqual({ action: 'wait', complete: false });
    expect(first).toStrictEqual({ action: 'release', released: 0 });
    expect(last).toStrictEqual({ action: 'release', released: 1 });
    expect(answers()).toStrictEqual([
      {
        token: wait.token,
        output: { a: { r: 'success', ok: true, x: 0 }, b: { r: 'success', ok: true, o: { v: '1' } } },
      },
    ]);
  });

  it('answers a gate whose upstream jobs were all released before it waited, from the wait itself', async () => {
    // Prepare
    const runId = 'run-release-first';
    await invoke(gateEvent('gate-release', runId));
    await invoke(gateEvent('gate-release', runId, { job: 'b', result: { r: 'failure', ok: true } }));

    // Act
    const waited = await invoke(gateEvent('gate-wait', runId));

    // Assess
    expect(waited).toStrictEqual({ action: 'wait', complete: true });
    expect(answers()).toHaveLength(1);
    expect(answers()[0]?.output).toStrictEqual({
      a: { r: 'success', ok: true, x: 0 },
      b: { r: 'failure', ok: true },
    });
  });

  it('answers each gate once when every wait and release is delivered twice', async () => {
    // Prepare
    const runId = 'run-redelivered';
    const events = [
      gateEvent('gate-wait', runId),
      gateEvent('gate-release', runId),
      gateEvent('gate-release', runId, { job: 'b' }),
    ];

    // Act
    await Promise.all([...events, ...events].map((event) => invoke(event)));
    await Promise.all(events.map((event) => invoke(event)));

    // Assess
    expect(answers()).toHaveLength(1);
    expect(answers()[0]?.token).toBe(events[0]?.token);
  });

  it('ends quietly when the run no longer waits for the gate', async () => {
    // Prepare
    const runId = 'run-timed-out';
    const wait = gateEvent('gate-wait', runId, { upstream: ['a'] });
    await invoke(wait);
    sfn
      .on(SendTaskSuccessCommand)
      .rejects(Object.assign(new Error(`TaskTimedOut ${wait.token}`), { name: 'TaskTimedOut' }));

    // Act
    const { result, output } = await captureOutput(() => invoke(gateEvent('gate-release', runId)));

    // Assess
    expect(result).toStrictEqual({ action: 'release', released: 1 });
    expect(output).toContain('gate answer not delivered: the run no longer waits');
    expect(output).not.toContain(wait.token);
  });

  it('fails the release with a named error when Step Functions cannot be told, and logs no token', async () => {
    // Prepare
    const runId = 'run-throttled';
    const wait = gateEvent('gate-wait', runId, { upstream: ['a'] });
    await invoke(wait);
    sfn
      .on(SendTaskSuccessCommand)
      .rejects(Object.assign(new Error(`Rate exceeded ${wait.token}`), { name: 'ThrottlingException' }));

    // Act
    const { result, output } = await captureOutput(() =>
      invoke(gateEvent('gate-release', runId)).catch((error: unknown) => error),
    );

    // Assess
    expect(result).toMatchObject({
      name: 'Waterflow.TaskAnswerError',
      message: 'SendTaskSuccess failed with ThrottlingException; the task still waits',
    });
    expect(output).not.toContain(wait.token);
    expect(String((result as Error).stack)).not.toContain(wait.token);
  });

  it.each([
    [
      'an unknown action',
      { action: 'open', runId: 'r', job: 'd' },
      'the gate Lambda handles actions "wait" and "release", found "open"',
    ],
    [
      'a wait without a token',
      { action: 'wait', runId: 'r', job: 'd', upstream: ['a'] },
      'a gate event needs a non-empty "token"',
    ],
    [
      'a wait without upstream jobs',
      { action: 'wait', runId: 'r', job: 'd', token: 't' },
      'a gate wait needs "upstream": a list of job names',
    ],
    [
      'a release without a result',
      { action: 'release', runId: 'r', job: 'a' },
      'a gate release needs the job\'s "result"',
    ],
    ['no run id', { action: 'release', job: 'a', result: null }, 'a gate event needs a non-empty "runId"'],
  ])('refuses %s with Waterflow.GateError', async (_case, event, message) => {
    // Act
    const attempt = invoke(event);

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'Waterflow.GateError', message });
    expect(answers()).toHaveLength(0);
  });
});
