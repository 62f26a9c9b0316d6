import type { S3Client } from '@aws-sdk/client-s3';
import type { JsonValue } from '../../compiler/asl/types.js';
import { type Compensation, compensations, parseCompensationsRequest } from '../../runtime/compensations.js';
import { readKeyedEvents } from '../../runtime/run-log.js';
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
}

/**
 * The jobs a failed run compensates, newest completion first, from the run's event log (the
 * recorder's), with the outputs their actions read from S3. The same ordering as the local
 * engine's (runtime/compensations.ts).
 *
 * The log is written from ECS and Step Functions events, which EventBridge delivers within
 * seconds but in no promised order: a job that ended moments before the failure may not be in it
 * yet. A missing success is a compensation not run; this is said in docs/cloud.md.
 */
export async function answerCompensations(
  deps: CompensationsDeps,
  payload: JsonValue,
): Promise<{ readonly jobs: Compensation[] }> {
  const request = parseCompensationsRequest(payload);
  const events = await readKeyedEvents(deps.store, request.runId);
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
