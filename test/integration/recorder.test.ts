import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionStatusChange, RecorderEvent } from '../../lambdas/recorder/events.js';
import { recordEvent } from '../../lambdas/recorder/recorder.js';
import { runStartedEvent } from '../../lambdas/submit/run-input.js';
import { type DeployedWorkflow, writeWorkflow } from '../../lambdas/submit/workflows.js';
import { DynamoStore } from '../../runtime/dynamo-store.js';
import { leaseHolder, takeLease } from '../../runtime/lease.js';
import { readKeyedEvents, recordRunEvents, TTL_ATTRIBUTE } from '../../runtime/run-log.js';
import { readRun, runPk } from '../../runtime/run-record.js';
import { loadEvent } from '../support/lambda.js';
import { startDynalite, type TestDynamo } from './support/dynalite.js';

// The recorder against dynalite: EventBridge fixtures in, the run record out.

let dynamo: TestDynamo;

beforeAll(async () => {
  dynamo = await startDynalite();
});

afterAll(async () => {
  await dynamo.close();
});

const deployed: DeployedWorkflow = {
  name: 'nightly-report',
  stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:nightly-report',
  policy: 'Forbid',
  params: [],
  jobs: ['query-sales', 'build-report'],
  upstream: { 'query-sales': [], 'build-report': ['query-sales'] },
  releasedOnSuccess: [],
  ttlAfterFinishedSeconds: 3600,
  deployHash: 'x',
  schedules: [],
  source: { kind: 'api', requestId: 'r' },
  deployedAt: '2026-11-22T00:00:00.000Z',
};

const logs = { region: 'eu-west-1', group: '/waterflow/jobs', streamPrefix: 'waterflow' };

function event(name: string, runId: string): RecorderEvent {
  return JSON.parse(
    JSON.stringify(loadEvent<RecorderEvent>('eventbridge', name)).replaceAll('RUN_ID', runId),
  );
}

/** A run's events in the order they happened: start, a failed attempt, its retry, the run's end. */
const inOrder = [
  'execution-running',
  'ecs-task-running',
  'ecs-task-stopped-failed',
  'ecs-task-running-retry',
  'ecs-task-stopped-succeeded',
  'execution-failed',
];

async function storeWithWorkflow(): Promise<DynamoStore> {
  const store = new DynamoStore({ client: dynamo.client, tableName: await dynamo.newTable() });
  await writeWorkflow(store, deployed);
  return store;
}

async function deliver(store: DynamoStore, runId: string, names: ReadonlyArray<string>): Promise<void> {
  for (const name of names) await recordEvent({ store, logs }, event(name, runId));
}

describe('the recorder', () => {
  it('records attempts, exit codes, reasons and log links from ECS and Step Functions events', async () => {
    // Prepare
    const store = await storeWithWorkflow();

    // Act
    await deliver(store, 'run-1', inOrder);

    // Assess
    const run = await readRun(store, 'run-1');
    expect(run).toStrictEqual({
      runId: 'run-1',
      workflow: 'nightly-report',
      status: 'failed',
      params: { format: 'html', topN: 10, regions: 'eu us', includeRefunds: true },
      startedAt: '2026-11-22T01:05:01.000Z',
      endedAt: '2026-11-22T01:06:01.000Z',
      reason: 'States.TaskFailed: job query-sales failed',
      jobs: {
        'query-sales': {
          status: 'succeeded',
          attempts: 2,
          exitCode: 0,
          startedAt: '2026-11-22T01:05:10.250Z',
          endedAt: '2026-11-22T01:05:45.000Z',
          logUrl:
            'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fwaterflow$252Fjobs/log-events/waterflow$252Fmain$252F9f8e7d6c5b4a',
        },
        'build-report': { status: 'skipped', attempts: 0, reason: 'not started: the run failed' },
      },
      events: 6,
    });
  });

  it('leaves the same snapshot after duplicate and out-of-order delivery as after in-order delivery', async () => {
    // Prepare
    const store = await storeWithWorkflow();
    await deliver(store, 'in-order', inOrder);
    const shuffled = [
      'execution-failed',
      'ecs-task-stopped-succeeded',
      'ecs-task-running',
      'ecs-task-stopped-failed',
      'ecs-task-stopped-failed',
      'execution-running',
      'ecs-task-running-retry',
      'execution-failed',
    ];

    // Act
    await deliver(store, 'shuffled', shuffled);

    // Assess
    const expected = await readRun(store, 'in-order');
    expect(await readRun(store, 'shuffled')).toStrictEqual({ ...expected, runId: 'shuffled' });
    expect(await readKeyedEvents(store, 'shuffled')).toHaveLength(6);
  });

  it('keeps one run-started whether the submit handler or the RUNNING event writes it first', async () => {
    // Prepare
    const store = await storeWithWorkflow();
    const running = event('execution-running', 'both').detail as ExecutionStatusChange;
    const input = JSON.parse(running.input ?? '{}');
    await recordRunEvents(store, 'both', [
      runStartedEvent('nightly-report', deployed, input, new Date('2026-11-22T01:05:01.000Z')),
    ]);

    // Act
    const result = await recordEvent({ store }, event('execution-running', 'both'));

    // Assess
    expect(result).toMatchObject({ runId: 'both', added: 0, status: 'running' });
  });

  it('releases the lease and sets the TTL on every item of the run when it ends', async () => {
    // Prepare
    const store = await storeWithWorkflow();
    await takeLease(store, 'nightly-report', { runId: 'ending', executionArn: 'arn', since: '' });
    await deliver(store, 'ending', inOrder.slice(0, -1));
    const heldWhileRunning = (await leaseHolder(store, 'nightly-report'))?.runId;

    // Act
    await deliver(store, 'ending', ['execution-failed']);

    // Assess
    expect(heldWhileRunning).toBe('ending');
    expect(await leaseHolder(store, 'nightly-report')).toBeUndefined();
    const expiresAt = Date.parse('2026-11-22T01:06:01.000Z') / 1000 + 3600;
    const own = await store.query(runPk('ending'), '');
    expect(own.map(({ item }) => item[TTL_ATTRIBUTE])).toStrictEqual(own.map(() => expiresAt));
    const listed = await store.query('wf#nightly-report', 'run#');
    expect(listed.map(({ item }) => item[TTL_ATTRIBUTE])).toStrictEqual([expiresAt]);
  });

  it("records a run of a rerun machine as a run of the machine's workflow", async () => {
    // Prepare
    const store = await storeWithWorkflow();
    const running = event('execution-running', 'again');
    const detail = { ...running.detail, stateMachineArn: `${deployed.stateMachineArn}--rerun-0123456789ab` };

    // Act
    await recordEvent({ store }, { ...running, detail } as RecorderEvent);

    // Assess
    const run = await readRun(store, 'again');
    expect(run?.workflow).toBe('nightly-report');
    expect(Object.keys(run?.jobs ?? {})).toStrictEqual(['query-sales', 'build-report']);
  });

  it('ignores executions of a split workflow part and ECS tasks of no job', async () => {
    // Prepare
    const store = await storeWithWorkflow();
    const part = event('execution-running', 'child');
    const detail = { ...part.detail, stateMachineArn: `${deployed.stateMachineArn}--part-2` };
    const task = event('ecs-task-running', 'x');
    const foreign = { ...task.detail, group: 'service:web' };

    // Act
    const results = [
      await recordEvent({ store }, { ...part, detail } as RecorderEvent),
      await recordEvent({ store }, { ...task, detail: foreign } as RecorderEvent),
    ];

    // Assess
    expect(results).toStrictEqual([
      { ignored: 'execution of part nightly-report--part-2' },
      { ignored: 'ECS task RUNNING of no Waterflow job' },
    ]);
  });
});
