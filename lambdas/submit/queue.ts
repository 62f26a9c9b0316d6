import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { errorName } from './deploy.js';
import { type SubmitDeps, type SubmitOutcome, submitDefinition } from './submit.js';

/**
 * The queue side of submit: S3 `ObjectCreated` notifications on the definitions bucket, through
 * SQS. Each message is handled on its own; a message that fails (ours or AWS's fault) is
 * reported in `batchItemFailures` so that SQS redelivers it alone, and after the queue's
 * `maxReceiveCount` moves it to the DLQ. An invalid definition is not a failure: it is recorded.
 */

export interface QueueDeps extends SubmitDeps {
  readonly s3: S3Client;
}

/** One S3 event notification record, the fields read here. */
export interface S3NotificationRecord {
  readonly eventName: string;
  readonly eventTime: string;
  readonly s3: {
    readonly bucket: { readonly name: string };
    readonly object: { readonly key: string; readonly versionId?: string; readonly sequencer?: string };
  };
}

export type MessageOutcome =
  | { readonly messageId: string; readonly uploads: ReadonlyArray<UploadSummary> }
  | { readonly messageId: string; readonly error: unknown };

/**
 * What became of one object, small enough for the log and for Powertools idempotency to keep as
 * the message's result.
 */
export interface UploadSummary {
  readonly key: string;
  readonly status: 'rejected' | 'deployed' | 'skipped';
  readonly workflow?: string;
  readonly run?: string;
  readonly runId?: string;
  readonly reason?: string;
  readonly errors?: number;
}

/** Handles a message: every S3 record in it, in order. Throws to have it redelivered. */
export type MessageProcessor = (record: SQSRecord) => Promise<ReadonlyArray<UploadSummary>>;

/** Processes a batch; the response names the messages to redeliver (partial batch response). */
export async function processQueueBatch(
  event: SQSEvent,
  process: MessageProcessor,
): Promise<{ readonly response: SQSBatchResponse; readonly outcomes: ReadonlyArray<MessageOutcome> }> {
  const outcomes: MessageOutcome[] = [];
  for (const record of event.Records) {
    try {
      outcomes.push({ messageId: record.messageId, uploads: await process(record) });
    } catch (error) {
      outcomes.push({ messageId: record.messageId, error });
    }
  }
  return {
    response: {
      batchItemFailures: outcomes.flatMap((o) => ('error' in o ? [{ itemIdentifier: o.messageId }] : [])),
    },
    outcomes,
  };
}

/** The plain message processor: reads each created object and submits it. */
export function submitMessages(deps: QueueDeps): MessageProcessor {
  return async (record) => {
    const records = notificationRecords(record.body);
    const uploads: UploadSummary[] = [];
    for (const notification of records) uploads.push(await submitObject(deps, notification));
    return uploads;
  };
}

/**
 * The S3 records of a message body. A body that is not an S3 notification (S3's own
 * `s3:TestEvent`, or garbage) has none: retrying it could never help.
 */
export function notificationRecords(body: string): S3NotificationRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    !('Records' in parsed) ||
    !Array.isArray(parsed.Records)
  ) {
    return [];
  }
  return (parsed.Records as unknown[]).filter(isNotificationRecord);
}

function isNotificationRecord(value: unknown): value is S3NotificationRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as {
    eventName?: unknown;
    s3?: { bucket?: { name?: unknown }; object?: { key?: unknown } };
  };
  return (
    typeof record.eventName === 'string' &&
    typeof record.s3?.bucket?.name === 'string' &&
    typeof record.s3.object?.key === 'string'
  );
}

async function submitObject(deps: QueueDeps, record: S3NotificationRecord): Promise<UploadSummary> {
  // Keys arrive URL-encoded, with spaces as '+'.
  const key = decodeURIComponent(record.s3.object.key.replaceAll('+', ' '));
  if (!record.eventName.startsWith('ObjectCreated:')) {
    return { key, status: 'skipped', reason: `not a creation (${record.eventName})` };
  }
  const bucket = record.s3.bucket.name;
  const { versionId, sequencer } = record.s3.object;
  let text: string;
  try {
    const object = await deps.s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(versionId === undefined ? {} : { VersionId: versionId }),
      }),
    );
    text = (await object.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    // Deleted before we got to it: there is nothing left to submit.
    const name = errorName(error);
    if (name === 'NoSuchKey' || name === 'NoSuchVersion') {
      return { key, status: 'skipped', reason: `the object is gone (${name})` };
    }
    throw error;
  }
  const outcome = await submitDefinition(deps, {
    text,
    file: key,
    source: { kind: 's3', bucket, key, ...(versionId === undefined ? {} : { versionId }) },
    // The version names the content; unversioned buckets have the sequencer, unique per key.
    id: `s3://${bucket}/${key}@${versionId ?? sequencer ?? record.eventTime}`,
    at: new Date(record.eventTime).toISOString(),
  });
  return summarize(key, outcome);
}

function summarize(key: string, outcome: SubmitOutcome): UploadSummary {
  if (outcome.status === 'rejected') {
    return { key, status: 'rejected', errors: outcome.rejected.diagnostics.length };
  }
  const { run } = outcome;
  return {
    key,
    status: 'deployed',
    workflow: outcome.workflow.name,
    run: run.status,
    ...('runId' in run ? { runId: run.runId } : {}),
    ...('reason' in run ? { reason: run.reason } : {}),
  };
}
