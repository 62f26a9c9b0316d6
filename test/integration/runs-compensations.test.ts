import { DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobHash } from '../../compiler/lower/job-hash.js';
import { answerCompensations } from '../../lambdas/runs-api/compensations.js';
import { DynamoStore } from '../../runtime/dynamo-store.js';
import { type KeyedEvent, recordRunEvents } from '../../runtime/run-log.js';
import { startDynalite, type TestDynamo } from './support/dynalite.js';

// The cloud answer to a failed run's compensations Task: the recorder's event log in dynalite,
// the jobs' uploaded outputs in a mocked S3.

const s3 = mockClient(S3Client);
const ecs = mockClient(ECSClient);
let dynamo: TestDynamo;

beforeAll(async () => {
  dynamo = await startDynalite();
});

afterAll(async () => {
  await dynamo.close();
});

function ended(job: string, at: string, status: 'succeeded' | 'failed'): KeyedEvent {
  return { id: `task-stopped:${job}`, kind: 'job-ended', job, at, status, attempt: 1 };
}

const started: KeyedEvent = {
  id: 'run-started',
  kind: 'run-started',
  at: '2026-11-22T08:00:00.000Z',
  workflow: 'release',
  params: {},
  jobs: ['build', 'migrate', 'deploy', 'smoke'],
};

describe('the compensations the runs function answers', () => {
  it('lists the jobs that succeeded newest first, whatever order the recorder got their events in', async () => {
    // Prepare: build ends first, then migrate, then deploy; smoke fails. Delivered shuffled.
    const store = new DynamoStore({ client: dynamo.client, tableName: await dynamo.newTable() });
    await recordRunEvents(store, 'run-1', [
      ended('deploy', '2026-11-22T08:03:00.000Z', 'succeeded'),
      started,
      ended('smoke', '2026-11-22T08:04:00.000Z', 'failed'),
      ended('build', '2026-11-22T08:01:00.000Z', 'succeeded'),
      ended('migrate', '2026-11-22T08:02:00.000Z', 'succeeded'),
    ]);
    s3.reset();
    // Only what the handler reads of a GetObject answer: its Body as text.
    const body = (text: string) => ({ Body: { transformToString: async () => text } }) as never;
    s3.on(GetObjectCommand).callsFake((input: { Key?: string }) => {
      if (input.Key === 'runs/run-1/build/outputs.json')
        return body(JSON.stringify({ version: '1.4.2', other: 'x' }));
      throw new NoSuchKey({ message: 'no such key', $metadata: {} });
    });

    // Act
    const answer = await answerCompensations(
      { store, s3: new S3Client({ region: 'eu-west-1' }), bucket: 'artifacts' },
      {
        action: 'compensations',
        runId: 'run-1',
        jobs: { build: {}, migrate: { build: ['version'] }, deploy: { migrate: ['schema'] }, smoke: {} },
      },
    );

    // Assess
    expect(answer.jobs).toStrictEqual([
      { job: 'deploy', needs: { migrate: { r: 'success', o: { schema: '' } } } },
      { job: 'migrate', needs: { build: { r: 'success', o: { version: '1.4.2' } } } },
      { job: 'build', needs: {} },
    ]);
  });

  it('refuses a request without a run id, so the Task fails instead of compensating nothing', async () => {
    // Prepare
    const store = new DynamoStore({ client: dynamo.client, tableName: await dynamo.newTable() });

    // Act
    const answering = answerCompensations(
      { store, s3: new S3Client({ region: 'eu-west-1' }), bucket: 'artifacts' },
      { action: 'compensations', jobs: {} },
    );

    // Assess
    await expect(answering).rejects.toThrow('a compensations request needs "runId"');
  });

  it('asks ECS about a job that started but whose end has not reached the log, and compensates it when it succeeded', async () => {
    // Prepare: build's end is logged; deploy started and stopped with exit 0 moments before smoke
    // failed, but EventBridge has not delivered its stop yet; migrate started and failed.
    const store = new DynamoStore({ client: dynamo.client, tableName: await dynamo.newTable() });
    const startedEvent = (job: string, at: string): KeyedEvent => ({
      id: `task:${job}:started`,
      kind: 'job-started',
      job,
      at,
      attempt: 0,
    });
    await recordRunEvents(store, 'run-2', [
      started,
      ended('build', '2026-11-22T08:01:00.000Z', 'succeeded'),
      startedEvent('deploy', '2026-11-22T08:02:00.000Z'),
      startedEvent('migrate', '2026-11-22T08:02:00.000Z'),
      ended('smoke', '2026-11-22T08:04:00.000Z', 'failed'),
    ]);
    s3.reset();
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'no such key', $metadata: {} }));
    ecs.reset();
    const task = (name: string, exitCode: number, stoppedAt: string) => ({
      taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/jobs/${name}`,
      stoppedAt: new Date(stoppedAt),
      containers: [{ name: 'main', exitCode }],
    });
    ecs.on(ListTasksCommand).callsFake((input: { startedBy?: string }) => ({
      taskArns:
        input.startedBy === `run-2/${jobHash('deploy')}`
          ? ['deploy-1', 'deploy-2']
          : input.startedBy === `run-2/${jobHash('migrate')}`
            ? ['migrate-1']
            : [],
    }));
    ecs.on(DescribeTasksCommand).callsFake((input: { tasks?: string[] }) => ({
      tasks: (input.tasks ?? []).map((arn) =>
        arn === 'deploy-1'
          ? task(arn, 1, '2026-11-22T08:02:30.000Z')
          : arn === 'deploy-2'
            ? task(arn, 0, '2026-11-22T08:03:30.000Z')
            : task(arn, 2, '2026-11-22T08:03:00.000Z'),
      ),
    }));

    // Act
    const answer = await answerCompensations(
      {
        store,
        s3: new S3Client({ region: 'eu-west-1' }),
        bucket: 'artifacts',
        ecs: { client: new ECSClient({ region: 'eu-west-1' }), cluster: () => 'jobs' },
      },
      {
        action: 'compensations',
        runId: 'run-2',
        jobs: { build: {}, migrate: {}, deploy: {}, smoke: {} },
      },
    );

    // Assess: deploy's retry succeeded at 08:03:30, after build: it is compensated first.
    expect(answer.jobs.map((j) => j.job)).toStrictEqual(['deploy', 'build']);
    expect(ecs.commandCalls(ListTasksCommand).map((call) => call.args[0].input)).toContainEqual({
      cluster: 'jobs',
      startedBy: `run-2/${jobHash('deploy')}`,
      desiredStatus: 'STOPPED',
    });
  });
});
