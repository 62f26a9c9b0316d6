import { DescribeTasksCommand, type ECSClient, ListTasksCommand, type Task } from '@aws-sdk/client-ecs';
import type { S3Client } from '@aws-sdk/client-s3';
import type { JsonValue } from '../../compiler/asl/types.js';
import { jobHash } from '../../compiler/lower/job-hash.js';
import { type Compensation, compensations, parseCompensationsRequest } from '../../runtime/compensations.js';
import { type KeyedEvent, readKeyedEvents } from '../../runtime/run-log.js';
import type { Store } from '../../runtime/store.js';
import { uploadedOutputs } from '../shared/job-outputs.js';

/** The `compensations` Task's invocation (docs/compilation.md, "Compensation and onExit"). */
export interface CompensationsInvocation {
  readonly action: 'compensations';
  readonly [field: string]: JsonValue;
}

export function isCompensationsInvocation(event: unknown): event is CompensationsInvocation {
  return (
    typeof event === 'object' && event !== null && (event as { action?: unknown }).action === 'compensations'
  );
}

export interface CompensationsDeps {
  readonly store: Store;
  readonly s3: Pick<S3Client, 'send'>;
  /** The artifacts bucket, where each job's uploader put `runs/<runId>/<job>/outputs.json`. */
  readonly bucket: string;
  /** ECS and the cluster the jobs run on, asked about jobs the log has no end of (`lateEnds`). */
  readonly ecs?: { readonly client: Pick<ECSClient, 'send'>; readonly cluster: () => string | undefined };
}

/**
 * The jobs a failed run compensates, newest completion first, from the run's event log (the
 * recorder's), with the outputs their actions read from S3. The same ordering as the local
 * engine's (runtime/compensations.ts).
 *
 * The log is written from ECS and Step Functions events, which EventBridge delivers within
 * seconds but in no promised order: a job that ended moments before the failure may not be in it
 * yet. ECS itself is asked about those (`lateEnds`), so that a success is not missed.
 */
export async function answerCompensations(
  deps: CompensationsDeps,
  payload: JsonValue,
): Promise<{ readonly jobs: Compensation[] }> {
  const request = parseCompensationsRequest(payload);
  const logged = await readKeyedEvents(deps.store, request.runId);
  const late = deps.ecs === undefined ? [] : await lateEnds(deps.ecs, request.runId, request.jobs, logged);
  // In the log's order (by time), the late ones where they ended.
  const events =
    late.length === 0
      ? logged
      : [...logged, ...late].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const itemsOf = new Map<string, Set<string>>();
  for (const event of events) {
    if (event.kind !== 'job-ended') continue;
    const open = event.job.indexOf(' (');
    if (open < 0) continue;
    const job = event.job.slice(0, open);
    itemsOf.set(job, (itemsOf.get(job) ?? new Set()).add(event.job));
  }
  // A matrix job's items, when the log names them; else the job itself.
  const entriesOf = (job: string) => {
    const items = itemsOf.get(job);
    return items === undefined ? [job] : [...items];
  };
  const read = new Set<string>();
  for (const reads of Object.values(request.jobs)) {
    for (const [upstream, names] of Object.entries(reads)) if (names.length > 0) read.add(upstream);
  }
  const outputs = new Map<string, { readonly [name: string]: string }>();
  await Promise.all(
    [...read].map(async (job) =>
      outputs.set(job, await uploadedOutputs(deps.s3, deps.bucket, request.runId, job)),
    ),
  );
  return { jobs: compensations(request, events, entriesOf, (job) => outputs.get(job) ?? {}) };
}

/**
 * The success of each job with a compensation that started but has no end in the log, from its
 * ECS tasks: a job's tasks are started by `<runId>/<job hash>` (compiler/kinds/container-asl.ts),
 * and ECS lists a stopped task for about an hour. The job succeeded when its latest task stopped
 * with every container at exit code 0.
 */
async function lateEnds(
  ecs: NonNullable<CompensationsDeps['ecs']>,
  runId: string,
  jobs: { readonly [job: string]: unknown },
  logged: ReadonlyArray<KeyedEvent>,
): Promise<KeyedEvent[]> {
  const ended = new Set(logged.flatMap((event) => (event.kind === 'job-ended' ? [event.job] : [])));
  // Started under its own name: a matrix item is logged under the item's, and its job's tasks
  // (one StartedBy for all items) cannot say which item stopped how.
  const open = logged.flatMap((event) =>
    event.kind === 'job-started' && event.job in jobs && !ended.has(event.job) ? [event.job] : [],
  );
  const found = await Promise.all(
    [...new Set(open)].map(async (job): Promise<KeyedEvent[]> => {
      const task = await latestStoppedTask(ecs, `${runId}/${jobHash(job)}`);
      const exitCodes = (task?.containers ?? []).map((container) => container.exitCode);
      // Only a success changes what is compensated.
      if (task?.stoppedAt === undefined || exitCodes.length === 0 || exitCodes.some((code) => code !== 0))
        return [];
      return [
        {
          id: `ecs-late:${task.taskArn ?? job}`,
          kind: 'job-ended',
          job,
          at: task.stoppedAt.toISOString(),
          status: 'succeeded',
          reason: 'from ECS: the task stopped before its event reached the run log',
        },
      ];
    }),
  );
  return found.flat();
}

/** The task started by `startedBy` that stopped last, if ECS still lists one. */
async function latestStoppedTask(
  ecs: NonNullable<CompensationsDeps['ecs']>,
  startedBy: string,
): Promise<Task | undefined> {
  const cluster = ecs.cluster();
  if (cluster === undefined) return undefined;
  const listed = await ecs.client.send(
    new ListTasksCommand({ cluster, startedBy, desiredStatus: 'STOPPED' }),
  );
  const arns = (listed.taskArns ?? []).slice(0, 100);
  if (arns.length === 0) return undefined;
  const described = await ecs.client.send(new DescribeTasksCommand({ cluster, tasks: arns }));
  let latest: Task | undefined;
  for (const task of described.tasks ?? []) {
    if (
      task.stoppedAt !== undefined &&
      (latest?.stoppedAt === undefined || task.stoppedAt > latest.stoppedAt)
    )
      latest = task;
  }
  return latest;
}
