import { ECSClient } from '@aws-sdk/client-ecs';
import {
  CopyObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  S3Client,
} from '@aws-sdk/client-s3';
import { ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateWorkflow } from '../../bench/generate.js';
import type { State, StateGraph } from '../../compiler/asl/types.js';
import { type RunsDeps, runsApi } from '../../lambdas/runs-api/runs.js';
import { runStartedEvent } from '../../lambdas/submit/run-input.js';
import { submitDefinition } from '../../lambdas/submit/submit.js';
import type { DeployedWorkflow } from '../../lambdas/submit/workflows.js';
import { DynamoStore } from '../../runtime/dynamo-store.js';
import { type KeyedEvent, recordRunEvents } from '../../runtime/run-log.js';
import { readRun } from '../../runtime/run-record.js';
import { loadEvent } from '../support/lambda.js';
import { resetCloud, testPlatform } from './support/cloud.js';
import { startDynalite, type TestDynamo } from './support/dynalite.js';

// POST /runs/{id}/rerun against dynalite, Step Functions, ECS and S3 mocked: the jobs that
// succeeded become Pass states of a rerun machine, which the new run starts on.

const sfn = mockClient(SFNClient);
const ecs = mockClient(ECSClient);
const scheduler = mockClient(SchedulerClient);
const s3 = mockClient(S3Client);
let dynamo: TestDynamo;

beforeAll(async () => {
  dynamo = await startDynalite();
});

afterAll(async () => {
  await dynamo.close();
});

beforeEach(() => {
  resetCloud({ sfn, ecs, scheduler, s3 });
  scheduler.on(ListSchedulesCommand).resolves({ Schedules: [] });
  s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'no such key', $metadata: {} }));
});

/** A workflow `nightly` of one stage holding `jobs`, each a line of flow YAML. */
const workflowOf = (...jobs: string[]) => `apiVersion: waterflow.io/v1
kind: Workflow
metadata: { name: nightly }
spec:
  stages:
    - name: s
      jobs:
${jobs.map((job) => `        - ${job}`).join('\n')}
`;

/** The N shape: a→c, a→d, b→d; c and d read a's output. */
const definition = workflowOf(
  '{ name: a, container: alpine:3.20, commands: ["echo tag=v1 >> $WATERFLOW_OUTPUT"], outputs: [tag] }',
  '{ name: b, container: alpine:3.20, commands: ["true"] }',
  '{ name: c, needs: [a], container: alpine:3.20, commands: ["echo ${{ needs.a.outputs.tag }}"] }',
  '{ name: d, needs: [a, b], container: alpine:3.20, commands: ["echo ${{ needs.a.outputs.tag }}"] }',
);

const at = (minute: number) => `2026-11-22T01:0${minute}:00.000Z`;

/** The workflow deployed, and a failed run of it in which `succeeded` succeeded and the others failed. */
async function withFailedRun(succeeded: ReadonlyArray<string>, text = definition): Promise<RunsDeps> {
  const store = new DynamoStore({ client: dynamo.client, tableName: await dynamo.newTable() });
  const clock = () => Date.parse(at(5));
  const submitted = await submitDefinition(
    {
      store,
      sfn: new SFNClient({ region: 'eu-west-1' }),
      ecs: new ECSClient({ region: 'eu-west-1' }),
      scheduler: new SchedulerClient({ region: 'eu-west-1' }),
      platform: testPlatform,
      clock,
    },
    {
      text,
      file: 'nightly.yaml',
      source: { kind: 'api', requestId: 'r' },
      id: 'u',
      at: at(0),
      start: false,
    },
  );
  if (submitted.status !== 'deployed') throw new Error('the definition did not deploy');
  const deployed: DeployedWorkflow = submitted.workflow;
  const events: KeyedEvent[] = [
    runStartedEvent(deployed.name, deployed, { params: {} }, new Date(at(1))),
    ...deployed.jobs.map((job) => ({
      id: `ended:${job}`,
      kind: 'job-ended' as const,
      at: at(2),
      job,
      status: succeeded.includes(job) ? ('succeeded' as const) : ('failed' as const),
      exitCode: succeeded.includes(job) ? 0 : 1,
    })),
    { id: 'run-ended:0', kind: 'run-ended', at: at(3), status: 'failed' },
  ];
  await recordRunEvents(store, 'run-1', events);
  sfn.resetHistory();
  return {
    store,
    sfn: new SFNClient({ region: 'eu-west-1' }),
    platform: testPlatform,
    clock,
    s3: new S3Client({ region: 'eu-west-1' }),
    bucket: 'waterflow-artifacts-123456789012',
    machines: () => testPlatform,
  };
}

function rerunRequest(runId: string): APIGatewayProxyEvent {
  const event = loadEvent<APIGatewayProxyEvent>('apigateway', 'runs-rerun');
  return { ...event, pathParameters: { id: runId }, headers: { ...event.headers, 'Idempotency-Key': 'k1' } };
}

interface RerunBody {
  readonly runId: string;
  readonly machine: string;
}

/** Every state of a machine, Parallel branches included, by name. */
function allStates(graph: StateGraph): Record<string, State> {
  const found: Record<string, State> = {};
  for (const [name, state] of Object.entries(graph.States)) {
    found[name] = state;
    if (state.Type === 'Parallel')
      for (const branch of state.Branches) Object.assign(found, allStates(branch));
  }
  return found;
}

describe('rerunning a run in AWS', () => {
  it('creates a rerun machine whose reused jobs are Pass states with their outputs, and starts the run there', async () => {
    // Prepare
    const deps = await withFailedRun(['a', 'b']);
    s3.on(GetObjectCommand, { Key: 'runs/run-1/a/outputs.json' }).resolves({
      // Only what the handler reads of a GetObject answer: its Body as text.
      Body: { transformToString: async () => '{"tag":"v1.4.2"}' },
    } as never);

    // Act
    const response = await runsApi(deps, rerunRequest('run-1'));

    // Assess
    const body = JSON.parse(response.body) as { runId: string; machine: string; rerunOf: string };
    expect(response.statusCode).toBe(201);
    expect(body.machine).toMatch(/^nightly--rerun-[0-9a-f]{12}$/);
    expect(body.rerunOf).toBe('run-1');
    const created = sfn.commandCalls(CreateStateMachineCommand).map((call) => call.args[0].input);
    expect(created.map((input) => input.name)).toStrictEqual([body.machine]);
    expect(created[0]?.tags).toStrictEqual([{ key: 'waterflow:workflow', value: 'nightly' }]);
    const states = allStates(JSON.parse(created[0]?.definition ?? '{}') as StateGraph);
    expect(states.a).toMatchObject({
      Type: 'Pass',
      Result: { r: 'success', ok: true, x: 0, o: { tag: 'v1.4.2' } },
      ResultPath: '$.jobs.a',
    });
    expect(states.b).toMatchObject({ Type: 'Pass' });
    expect(states.c?.Type).toBe('Task');
    expect(states.d?.Type).toBe('Task');
    const started = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(started).toMatchObject([
      {
        stateMachineArn: `arn:aws:states:eu-west-1:123456789012:stateMachine:${body.machine}`,
        name: body.runId,
      },
    ]);
    const run = await readRun(deps.store, body.runId);
    expect(run?.rerunOf).toBe('run-1');
    expect(run?.jobs.a).toMatchObject({ status: 'succeeded', reused: true });
    expect(run?.jobs.c).toMatchObject({ status: 'pending' });
  });

  it('copies the artifacts a job running again takes from a reused job to the new run before it starts', async () => {
    // Prepare: a made the site, c (failed) takes it; a is reused, so its files must be where c looks.
    const withArtifacts = workflowOf(
      '{ name: a, container: alpine:3.20, commands: ["mkdir -p site"], artifacts: [{ name: site, path: site }] }',
      '{ name: c, needs: [a], container: alpine:3.20, commands: ["ls site"], artifactsFrom: [{ job: a, artifacts: [site] }] }',
    );
    const deps = await withFailedRun(['a'], withArtifacts);
    s3.on(ListObjectsV2Command, { Prefix: 'runs/run-1/a/artifacts/site/' })
      .resolvesOnce({
        Contents: [{ Key: 'runs/run-1/a/artifacts/site/site/index.html' }],
        IsTruncated: true,
        NextContinuationToken: 't2',
      })
      .resolvesOnce({
        Contents: [{ Key: 'runs/run-1/a/artifacts/site/site/my page+1.html' }],
        IsTruncated: false,
      });
    s3.on(CopyObjectCommand).resolves({});

    // Act
    const response = await runsApi(deps, rerunRequest('run-1'));

    // Assess
    const body = JSON.parse(response.body) as { runId: string; reused: string[] };
    expect(response.statusCode).toBe(201);
    expect(body.reused).toStrictEqual(['a']);
    const bucket = 'waterflow-artifacts-123456789012';
    expect(s3.commandCalls(CopyObjectCommand).map((call) => call.args[0].input)).toStrictEqual([
      {
        Bucket: bucket,
        CopySource: `${bucket}/runs/run-1/a/artifacts/site/site/index.html`,
        Key: `runs/${body.runId}/a/artifacts/site/site/index.html`,
      },
      {
        Bucket: bucket,
        CopySource: `${bucket}/runs/run-1/a/artifacts/site/site/my%20page%2B1.html`,
        Key: `runs/${body.runId}/a/artifacts/site/site/my page+1.html`,
      },
    ]);
    expect(s3.commandCalls(ListObjectsV2Command)[1]?.args[0].input.ContinuationToken).toBe('t2');
    // Copied before the run started.
    const lastCopy = s3.commandCalls(CopyObjectCommand).at(-1);
    const start = sfn.commandCalls(StartExecutionCommand)[0];
    if (lastCopy === undefined || start === undefined) throw new Error('no copy or no start');
    expect(lastCopy.calledBefore(start)).toBe(true);
  });

  it("starts the workflow's own machine, every job again, when a rerun machine's name would pass 80 characters", async () => {
    // Prepare: 63 characters, the longest name a workflow may have; with --rerun-<12 hex>, 83.
    const long = `n${'x'.repeat(62)}`;
    const deps = await withFailedRun(['a', 'b'], definition.replace('name: nightly', `name: ${long}`));

    // Act
    const response = await runsApi(deps, rerunRequest('run-1'));

    // Assess
    const body = JSON.parse(response.body) as { machine: string; reused: string[] };
    expect(response.statusCode).toBe(201);
    expect(body).toMatchObject({ machine: long, reused: [] });
    expect(sfn.commandCalls(CreateStateMachineCommand)).toHaveLength(0);
  });

  it('reruns a split workflow on a rerun machine whose parts are named after it', async () => {
    // Prepare: 1,000 jobs pass the 800 KB split threshold; only the first succeeded, so that the
    // rerun machine (999 tasks, one Pass) is still split.
    const text = generateWorkflow({ jobs: 1000, seed: 1, detail: 'plain' });
    const deps = await withFailedRun(['job-0'], text);

    // Act
    const response = await runsApi(deps, rerunRequest('run-1'));

    // Assess
    const body = JSON.parse(response.body) as { runId: string; machine: string; reused: string[] };
    expect(response.statusCode).toBe(201);
    expect(body.machine).toMatch(/^generated-1000-jobs--rerun-[0-9a-f]{12}$/);
    expect(body.reused).toStrictEqual(['job-0']);
    const created = sfn.commandCalls(CreateStateMachineCommand).map((call) => call.args[0].input.name);
    const parts = created.slice(0, -1);
    expect(parts.length).toBeGreaterThan(0);
    expect(parts).toStrictEqual(parts.map((_, i) => `${body.machine}--part-${i + 1}`));
    expect(created.at(-1)).toBe(body.machine);
    // Kept with the run, so that deleting it can delete them too.
    expect(await deps.store.get({ pk: `run#${body.runId}`, sk: 'machine' })).toMatchObject({
      machine: body.machine,
      parts,
    });
    expect(sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input)).toMatchObject([
      { stateMachineArn: `arn:aws:states:eu-west-1:123456789012:stateMachine:${body.machine}` },
    ]);
  });

  it('deletes the rerun machine with the rerun run when no other execution ran on it, and keeps it when one did', async () => {
    // Prepare: two reruns of run-1 on the same machine (the same reused results), both ended.
    const deps = await withFailedRun(['a', 'b']);
    const first = JSON.parse((await runsApi(deps, rerunRequest('run-1'))).body) as RerunBody;
    const second = JSON.parse(
      (await runsApi(deps, { ...rerunRequest('run-1'), headers: { 'Idempotency-Key': 'k2' } })).body,
    ) as RerunBody;
    expect(second.machine).toBe(first.machine);
    for (const runId of [first.runId, second.runId]) {
      await recordRunEvents(deps.store, runId, [
        { id: 'run-ended:0', kind: 'run-ended', at: at(9), status: 'succeeded' },
      ]);
    }
    const machineArn = `arn:aws:states:eu-west-1:123456789012:stateMachine:${first.machine}`;
    const executions = [first.runId, second.runId];
    sfn.on(ListExecutionsCommand, { stateMachineArn: machineArn }).callsFake(() => ({
      executions: executions.map((name) => ({ name })),
    }));
    const deleteRun = (runId: string) =>
      runsApi(deps, {
        ...rerunRequest(runId),
        httpMethod: 'DELETE',
        resource: '/runs/{id}',
        pathParameters: { id: runId },
      });

    // Act: the first goes while the second's execution is still listed, then the second.
    const kept = await deleteRun(first.runId);
    const deletionsAfterFirst = sfn.commandCalls(DeleteStateMachineCommand).length;
    executions.splice(0, 1);
    const removed = await deleteRun(second.runId);

    // Assess
    expect([kept.statusCode, removed.statusCode]).toStrictEqual([204, 204]);
    expect(deletionsAfterFirst).toBe(0);
    expect(sfn.commandCalls(DeleteStateMachineCommand).map((call) => call.args[0].input)).toStrictEqual([
      { stateMachineArn: machineArn },
    ]);
    expect(await readRun(deps.store, second.runId)).toBeUndefined();
  });

  it("starts the workflow's own machine when nothing succeeded", async () => {
    // Prepare
    const deps = await withFailedRun([]);

    // Act
    const response = await runsApi(deps, rerunRequest('run-1'));

    // Assess
    const body = JSON.parse(response.body) as { runId: string; machine: string };
    expect(response.statusCode).toBe(201);
    expect(body.machine).toBe('nightly');
    expect(sfn.commandCalls(CreateStateMachineCommand)).toHaveLength(0);
    expect(sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input)).toMatchObject([
      { stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:nightly', name: body.runId },
    ]);
  });
});
