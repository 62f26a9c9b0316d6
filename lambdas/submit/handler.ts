import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoStore } from '../../runtime/dynamo-store.js';
import { systemClock } from '../../runtime/gates.js';
import { TTL_ATTRIBUTE } from '../../runtime/run-log.js';
import { requiredEnv } from '../shared/env.js';
import { errorResponse } from '../shared/http.js';
import { observability, observed } from '../shared/observability.js';
import { submitApi } from './api.js';
import type { ScheduledStart } from './deploy.js';
import { platformFromEnv } from './platform.js';
import { type MessageOutcome, processQueueBatch, type QueueDeps, submitMessages } from './queue.js';
import { startScheduledRun } from './scheduled.js';

const obs = observability('submit');
const tableName = requiredEnv('TABLE_NAME');
const dynamo = new DynamoDBClient({});
const deps: QueueDeps = {
  store: new DynamoStore({ client: dynamo, tableName }),
  sfn: new SFNClient({}),
  ecs: new ECSClient({}),
  scheduler: new SchedulerClient({}),
  s3: new S3Client({}),
  platform: platformFromEnv(),
  clock: systemClock,
};

// Powertools idempotency per SQS message id, in the store's table (pk/sk, TTL on `ttl`): a
// redelivered message returns its first result without compiling or deploying again. Other
// duplicates (S3 sending one event twice) are caught by the deterministic execution name.
const idempotency = new IdempotencyConfig({ eventKeyJmesPath: 'messageId', expiresAfterSeconds: 3600 });
const processMessage = makeIdempotent(submitMessages(deps), {
  persistenceStore: new DynamoDBPersistenceLayer({
    tableName,
    awsSdkV3Client: dynamo,
    keyAttr: 'pk',
    sortKeyAttr: 'sk',
    staticPkValue: 'idempotency#submit',
    expiryAttr: TTL_ATTRIBUTE,
  }),
  config: idempotency,
});

export type SubmitEvent = SQSEvent | APIGatewayProxyEvent | ScheduledStart;
export type SubmitResult =
  | SQSBatchResponse
  | APIGatewayProxyResult
  | Awaited<ReturnType<typeof startScheduledRun>>;

/**
 * One function, three triggers: S3 notifications through SQS (partial batch response),
 * `POST /workflows` and `POST /workflows/{name}/runs`, and EventBridge Scheduler's invocations.
 */
export const handler = observed(async (event: SubmitEvent, context): Promise<SubmitResult> => {
  if ('httpMethod' in event) {
    try {
      return await submitApi(deps, event);
    } catch (error) {
      return errorResponse(error, obs.logger);
    }
  }
  if ('action' in event) {
    const outcome = await startScheduledRun(deps, event);
    obs.logger.info('scheduled run', { workflow: event.workflow, schedule: event.schedule, ...outcome });
    if (outcome.status === 'started') obs.metrics.addMetric('RunStarted', 'Count', 1);
    return outcome;
  }
  idempotency.registerLambdaContext(context);
  const { response, outcomes } = await processQueueBatch(event, processMessage);
  report(outcomes);
  return response;
}, obs);

function report(outcomes: ReadonlyArray<MessageOutcome>): void {
  for (const outcome of outcomes) {
    if ('error' in outcome) {
      const error = outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
      obs.logger.error('message failed; SQS will redeliver it', { messageId: outcome.messageId, error });
      continue;
    }
    for (const upload of outcome.uploads) {
      obs.logger.info('definition submitted', { messageId: outcome.messageId, ...upload });
      if (upload.status === 'rejected') obs.metrics.addMetric('DefinitionRejected', 'Count', 1);
      if (upload.run === 'started') obs.metrics.addMetric('RunStarted', 'Count', 1);
      if (upload.run === 'rejected') obs.metrics.addMetric('RunRejected', 'Count', 1);
    }
  }
}
