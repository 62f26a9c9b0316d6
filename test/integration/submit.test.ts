import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import {
  CreateStateMachineCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SubmitDeps, startWorkflowRun, submitDefinition } from '../../lambdas/submit/submit.js';
import { readRejectedRuns, readRejectedUploads, readWorkflow } from '../../lambdas/submit/workflows.js';
import { DynamoStore } from '../../runtime/dynamo-store.js';
import { leaseHolder } from '../../runtime/lease.js';
import { readRun } from '../../runtime/run-record.js';
import { handlerEnv, lambdaContext, loadEvent } from '../support/lambda.js';
import {
  type CallLog,
  example,
  type modelStepFunctions,
  resetCloud,
  submitEnv,
  testPlatform,
} from './support/cloud.js';
import { startDynalite, type TestDynamo } from './support/dynalite.js';

// The submit path against dynalite, with Step Functions, ECS, Scheduler and S3 mocked at the SDK.

const sfn = mockClient(SFNClient);
const ecs = mockClient(ECSClient);
const scheduler = mockClient(SchedulerClient);
const s3 = mockClient(S3Client);
let dynamo: TestDynamo;
let calls: CallLog;
let model: ReturnType<typeof modelStepFunctions>;

beforeAll(async () => {
  dynamo = await startDynalite();
});

afterAll(async () => {
  await dynamo.close();
});

beforeEach(() => {
  ({ calls, model } = resetCloud({ sfn, ecs, scheduler, s3 }));
  scheduler
    .on(UpdateScheduleCommand)
    .rejects(new ResourceNotFoundException({ message: 'not found', Message: 'not found', $metadata: {} }));
  scheduler
    .on(CreateScheduleCommand)
    .resolves({ ScheduleArn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/x' });
  scheduler.on(ListSchedulesCommand).resolves({ Schedules: [] });
});

async function deps(): Promise<SubmitDeps> {
  const store = new DynamoStore({ client: dynamo.client, tableName: await dynamo.newTable() });
  return {
    store,
    sfn: new SFNClient({ region: 'eu-west-1' }),
    ecs: new ECSClient({ region: 'eu-west-1' }),
    scheduler: new SchedulerClient({ region: 'eu-west-1' }),
    platform: testPlatform,
    clock: () => Date.parse('2026-11-22T01:05:00.000Z'),
  };
}

const upload = (text: string, id: string) => ({
  text,
  file: 'workflow.yaml',
  source: { kind: 'api' as const, requestId: id },
  id,
  at: '2026-11-22T01:05:00.000Z',
});

/** The workflow of `example(name)` with its concurrency policy set to `policy`. */
function withPolicy(name: string, policy: 'Allow' | 'Forbid' | 'Replace'): string {
  return example(name).replace(/concurrency: \{ policy: \w+ \}/, `concurrency: { policy: ${policy} }`);
}

describe('submit', () => {
  it('deploys a workflow with its schedules in their time zone and starts a run with the default params', async () => {
    // Prepare
    const d = await deps();

    // Act
    const outcome = await submitDefinition(d, upload(example('nightly-report'), 'upload-1'));

    // Assess
    expect(outcome.status).toBe('deployed');
    const created = scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input);
    expect(created.map((s) => [s.Name, s.ScheduleExpression, s.ScheduleExpressionTimezone])).toStrictEqual([
      ['waterflow-nightly-report-0', 'cron(30 2 ? * 2-7 *)', 'Europe/Paris'],
      ['waterflow-nightly-report-1', 'cron(30 2 ? * 1 *)', 'Europe/Paris'],
    ]);
    expect(JSON.parse(created[1]?.Target?.Input ?? '{}')).toStrictEqual({
      action: 'scheduled',
      workflow: 'nightly-report',
      schedule: 'waterflow-nightly-report-1',
      params: { format: 'csv', topN: 100 },
      scheduledTime: '<aws.scheduler.scheduled-time>',
    });
    const start = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(JSON.parse(start?.input ?? '{}')).toStrictEqual({
      params: { format: 'html', topN: 10, regions: 'eu us', includeRefunds: true },
      run: { id: start?.name },
      jobs: {},
    });
    const run = await readRun(d.store, start?.name ?? '');
    expect(run?.status).toBe('running');
    expect(run?.workflow).toBe('nightly-report');
    // Logged and traced as the stack's own machines are.
    const machine = sfn.commandCalls(CreateStateMachineCommand)[0]?.args[0].input;
    expect(machine?.tracingConfiguration).toStrictEqual({ enabled: true });
  });

  it('fills every substitution of the state machine and registers nothing on a second submit', async () => {
    // Prepare
    const d = await deps();
    await submitDefinition(d, upload(example('nightly-report'), 'upload-1'));
    const registered = ecs.commandCalls(RegisterTaskDefinitionCommand).length;

    // Act
    const again = await submitDefinition(d, upload(`${example('nightly-report')}\n# touched\n`, 'upload-2'));

    // Assess
    expect(registered).toBeGreaterThan(0);
    expect(again.status === 'deployed' && again.taskDefinitionsRegistered).toBe(0);
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(registered);
    const machine = sfn.call(0).args[0].input as { definition: string };
    expect(machine.definition).not.toMatch(/\$\{[A-Za-z]/);
    expect(machine.definition).toContain('arn:aws:ecs:eu-west-1:123456789012:task-definition/waterflow-');
  });

  it('starts one run and records 19 rejections for 20 concurrent submits with Forbid', async () => {
    // Prepare
    const d = await deps();
    const text = withPolicy('nightly-report', 'Forbid');
    await submitDefinition(d, { ...upload(text, 'deploy'), start: false });

    // Act
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        startWorkflowRun(d, { workflow: 'nightly-report', params: new Map(), key: `request-${i}` }),
      ),
    );

    // Assess
    expect(outcomes.filter((o) => o.status === 'started')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(19);
    expect(model.started.size).toBe(1);
    expect(await readRejectedRuns(d.store, 'nightly-report')).toHaveLength(19);
  });

  it('stops the old run before it starts the new one with Replace', async () => {
    // Prepare
    const d = await deps();
    await submitDefinition(d, { ...upload(withPolicy('nightly-report', 'Replace'), 'deploy'), start: false });
    const first = await startWorkflowRun(d, { workflow: 'nightly-report', params: new Map(), key: 'first' });
    calls.length = 0;

    // Act
    const second = await startWorkflowRun(d, {
      workflow: 'nightly-report',
      params: new Map(),
      key: 'second',
    });

    // Assess
    expect(calls).toStrictEqual([`StopExecution ${first.runId}`, `StartExecution ${second.runId}`]);
    expect(sfn.commandCalls(StopExecutionCommand)[0]?.args[0].input.error).toBe('Waterflow.Replaced');
    expect((await leaseHolder(d.store, 'nightly-report'))?.runId).toBe(second.runId);
  });

  it('refuses params of the wrong type, naming the param', async () => {
    // Prepare
    const d = await deps();
    await submitDefinition(d, { ...upload(example('nightly-report'), 'deploy'), start: false });

    // Act
    const started = startWorkflowRun(d, {
      workflow: 'nightly-report',
      params: new Map([['topN', 'ten']]),
      key: 'k',
    });

    // Assess
    await expect(started).rejects.toThrow('param "topN": "ten" is not an integer');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

describe('the submit handler', () => {
  let handler: (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
  let store: DynamoStore;

  beforeAll(async () => {
    const table = await dynamo.newTable();
    handlerEnv(dynamo.endpoint, table, submitEnv());
    store = new DynamoStore({ client: dynamo.client, tableName: table });
    ({ handler } = (await import('../../lambdas/submit/handler.js')) as unknown as {
      handler: typeof handler;
    });
  });

  function objectBody(text: string) {
    // The one method of the SDK's stream mixin that the submit path calls.
    return { Body: { transformToString: async () => text } } as never;
  }

  it('starts one execution when the same S3 event is delivered five times', async () => {
    // Prepare
    s3.on(GetObjectCommand).callsFake(() => objectBody(example('nightly-report')));
    const deliveries = Array.from({ length: 5 }, (_, i) => {
      const event = loadEvent<SQSEvent>('sqs', 's3-object-created');
      const record = event.Records[0];
      // Two deliveries of one message (same id), three more messages with the same S3 event.
      if (record !== undefined && i > 1) record.messageId = `redelivery-${i}`;
      return event;
    });

    // Act
    const responses: unknown[] = [];
    for (const event of deliveries) responses.push(await handler(event, lambdaContext('submit')));

    // Assess
    expect(responses).toStrictEqual(Array.from({ length: 5 }, () => ({ batchItemFailures: [] })));
    expect(model.started.size).toBe(1);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    // Powertools idempotency kept the message's result in the same table (dynalite included).
    const kept = await store.query('idempotency#submit', '');
    expect(kept.map(({ item }) => item.status)).toContain('COMPLETED');
    const runId = [...model.started.keys()][0] ?? '';
    expect((await readRun(store, runId))?.workflow).toBe('nightly-report');
    expect((await readWorkflow(store, 'nightly-report'))?.source).toStrictEqual({
      kind: 's3',
      bucket: 'waterflow-definitions-123456789012',
      key: 'workflows/nightly-report.yaml',
      versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
    });
  });

  it('records invalid YAML from S3 as a rejected upload without failing the message', async () => {
    // Prepare
    s3.on(GetObjectCommand).callsFake(() => objectBody('metadata: [unclosed\n'));
    const event = loadEvent<SQSEvent>('sqs', 's3-invalid-definition');

    // Act
    const response = (await handler(event, lambdaContext('submit'))) as SQSBatchResponse;

    // Assess
    expect(response).toStrictEqual({ batchItemFailures: [] });
    const rejected = (await readRejectedUploads(store)).find(
      (r) => r.source.kind === 's3' && r.source.key === 'workflows/broken.yaml',
    );
    expect(rejected?.diagnostics[0]?.code).toBe('WF1001');
    expect(rejected?.diagnostics[0]?.text).toContain('workflows/broken.yaml:');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('reports only the failing message of a batch for redelivery', async () => {
    // Prepare
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('slow down'), { name: 'SlowDown' }));
    const good = loadEvent<SQSEvent>('sqs', 's3-object-created');
    const garbage = { ...good.Records[0], messageId: 'not-s3', body: 'not json' };
    const batch = { Records: [...good.Records, garbage] } as SQSEvent;
    const first = batch.Records[0];
    if (first !== undefined) first.messageId = 'throttled';

    // Act
    const response = (await handler(batch, lambdaContext('submit'))) as SQSBatchResponse;

    // Assess
    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: 'throttled' }] });
  });

  it('answers invalid YAML through the API with 400 and the diagnostics', async () => {
    // Prepare
    const event = loadEvent<APIGatewayProxyEvent>('apigateway', 'submit-upload-invalid');

    // Act
    const response = (await handler(event, lambdaContext('submit'))) as APIGatewayProxyResult;

    // Assess
    expect(response.statusCode).toBe(400);
    const body = JSON.parse(response.body) as {
      error: { code: string; message: string };
      diagnostics: Array<{ code: string; path: unknown[] }>;
    };
    expect(body.error.code).toBe('InvalidDefinition');
    expect(body.error.message).toContain('needs "tset", which does not exist');
    expect(body.diagnostics.map((d) => d.code)).toContain('WF2003');
  });

  it('answers params of the wrong type with 400 naming the param', async () => {
    // Prepare
    s3.on(GetObjectCommand).callsFake(() => objectBody(example('nightly-report')));
    await handler(loadEvent<SQSEvent>('sqs', 's3-object-created'), lambdaContext('submit'));
    const event = loadEvent<APIGatewayProxyEvent>('apigateway', 'submit-start-run');

    // Act
    const response = (await handler(event, lambdaContext('submit'))) as APIGatewayProxyResult;

    // Assess
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toStrictEqual({
      error: {
        code: 'InvalidParams',
        message: 'workflow nightly-report: param "topN": "ten" is not an integer',
      },
    });
  });
});
