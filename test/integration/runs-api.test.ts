import { S3Client } from '@aws-sdk/client-s3';
import { ExecutionNotRedrivable, RedriveExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunsDeps, runsApi } from '../../lambdas/runs-api/runs.js';
import { runStartedEvent } from '../../lambdas/submit/run-input.js';
import { type DeployedWorkflow, writeWorkflow } from '../../lambdas/submit/workflows.js';
import { DynamoStore } from '../../runtime/dynamo-store.js';
import { recordRunEvents } from '../../runtime/run-log.js';
import { readRun } from '../../runtime/run-record.js';
import { loadEvent } from '../support/lambda.js';
import { testPlatform } from './support/cloud.js';
import { startDynalite, type TestDynamo } from './support/dynalite.js';

const sfn = mockClient(SFNClient);
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
  policy: 'Allow',
  params: [],
  jobs: ['build'],
  upstream: { build: [] },
  releasedOnSuccess: [],
  deployHash: 'x',
  schedules: [],
  source: { kind: 'api', requestId: 'r' },
  deployedAt: '2026-11-22T00:00:00.000Z',
};

/** Five runs a minute apart; run-4 is the newest, run-0 failed. */
async function withRuns(): Promise<RunsDeps> {
  const store = new DynamoStore({ client: dynamo.client, tableName: await dynamo.newTable() });
  await writeWorkflow(store, deployed);
  for (let i = 0; i < 5; i++) {
    const started = runStartedEvent(
      'nightly-report',
      deployed,
      { params: {} },
      new Date(Date.UTC(2026, 10, 22, 1, i)),
    );
    const ended = {
      id: 'run-ended:0',
      kind: 'run-ended' as const,
      at: `2026-11-22T01:0${i}:30.000Z`,
      status: 'failed' as const,
    };
    await recordRunEvents(store, `run-${i}`, i === 0 ? [started, ended] : [started]);
  }
  return {
    store,
    sfn: new SFNClient({ region: 'eu-west-1' }),
    platform: testPlatform,
    clock: () => 0,
    s3: new S3Client({ region: 'eu-west-1' }),
    bucket: 'waterflow-artifacts-123456789012',
    machines: () => testPlatform,
  };
}

function request(name: string, changes: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return { ...loadEvent<APIGatewayProxyEvent>('apigateway', name), ...changes };
}

describe('the runs API', () => {
  it('lists a workflow’s runs newest first, a page at a time, with an opaque cursor', async () => {
    // Prepare
    const deps = await withRuns();

    // Act
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const event = request('runs-list', {
        queryStringParameters: { limit: '2', ...(cursor === undefined ? {} : { cursor }) },
      });
      const body = JSON.parse((await runsApi(deps, event)).body) as {
        runs: Array<{ runId: string }>;
        cursor?: string;
      };
      pages.push(body.runs.map((run) => run.runId));
      cursor = body.cursor;
    } while (cursor !== undefined);

    // Assess
    expect(pages.flat()).toStrictEqual(['run-4', 'run-3', 'run-2', 'run-1', 'run-0']);
    expect(pages[0]).toStrictEqual(['run-4', 'run-3']);
  });

  it('refuses a cursor it did not give with 400', async () => {
    // Prepare
    const deps = await withRuns();

    // Act
    const response = await runsApi(
      deps,
      request('runs-list', { queryStringParameters: { cursor: 'bm9wZQ' } }),
    ).catch((error: unknown) => error);

    // Assess
    expect(response).toMatchObject({ status: 400, code: 'InvalidCursor' });
  });

  it('answers a retry Step Functions cannot redrive with 409', async () => {
    // Prepare
    const deps = await withRuns();
    sfn
      .on(RedriveExecutionCommand)
      .rejects(
        new ExecutionNotRedrivable({ message: 'Execution redrivable period exceeded', $metadata: {} }),
      );
    const event = request('runs-retry', { pathParameters: { id: 'run-0' } });

    // Act
    const error = await runsApi(deps, event).catch((thrown: unknown) => thrown);

    // Assess
    expect(error).toMatchObject({ status: 409, code: 'RunNotRedrivable' });
    expect(sfn.commandCalls(RedriveExecutionCommand)[0]?.args[0].input.executionArn).toBe(
      'arn:aws:states:eu-west-1:123456789012:execution:nightly-report:run-0',
    );
  });

  it('deletes an ended run with all its items', async () => {
    // Prepare
    const deps = await withRuns();
    const event = request('runs-retry', {
      httpMethod: 'DELETE',
      resource: '/runs/{id}',
      pathParameters: { id: 'run-0' },
    });

    // Act
    const response = await runsApi(deps, event);

    // Assess
    expect(response.statusCode).toBe(204);
    expect(await readRun(deps.store, 'run-0')).toBeUndefined();
    expect(await deps.store.query('run#run-0', '')).toStrictEqual([]);
    const listed = await deps.store.query('wf#nightly-report', 'run#');
    expect(listed.map(({ item }) => item.runId)).toStrictEqual(['run-1', 'run-2', 'run-3', 'run-4']);
  });
});
