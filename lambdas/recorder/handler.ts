import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoStore } from '../../runtime/dynamo-store.js';
import { systemClock } from '../../runtime/gates.js';
import { releaseAndAnswer } from '../gates/gates.js';
import { requiredEnv } from '../shared/env.js';
import { observability, observed } from '../shared/observability.js';
import type { RecorderEvent } from './events.js';
import { type RecorderResult, recordEvent } from './recorder.js';

const obs = observability('recorder');
const store = new DynamoStore({ client: new DynamoDBClient({}), tableName: requiredEnv('TABLE_NAME') });
const sfn = new SFNClient({ maxAttempts: 6 });
const region = process.env.AWS_REGION ?? '';
const logGroup = process.env.JOB_LOG_GROUP;
const logs =
  logGroup === undefined || logGroup === ''
    ? undefined
    : { region, group: logGroup, streamPrefix: process.env.JOB_LOG_STREAM_PREFIX ?? 'waterflow' };

/**
 * EventBridge targets: "Step Functions Execution Status Change", "ECS Task State Change" and
 * "Waterflow Job Hook". A thrown error is retried by EventBridge, then goes to its DLQ.
 */
export const handler = observed(async (event: RecorderEvent): Promise<RecorderResult> => {
  const result = await recordEvent(
    {
      store,
      ...(logs === undefined ? {} : { logs }),
      release: (request) => releaseAndAnswer(request, { store, sfn, clock: systemClock }),
    },
    event,
  );
  if ('ignored' in result) {
    obs.logger.debug('event ignored', { id: event.id, reason: result.ignored });
    return result;
  }
  obs.logger.info('event recorded', { id: event.id, detailType: event['detail-type'], ...result });
  if (result.added === 0) obs.metrics.addMetric('DuplicateEvent', 'Count', 1);
  if (result.leaseReleased) obs.metrics.addMetric('LeaseReleased', 'Count', 1);
  return result;
}, obs);
