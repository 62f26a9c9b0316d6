import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoStore } from '../../runtime/dynamo-store.js';
import { systemClock } from '../../runtime/gates.js';
import { requiredEnv } from '../shared/env.js';
import { linkKeyFromEnv } from '../shared/link-key.js';
import { observability } from '../shared/observability.js';
import { observedSecret } from '../shared/observed-secret.js';
import { type ApprovalRequested, requestAndPublish } from './request.js';

const obs = observability('approval-request');
const store = new DynamoStore({ client: new DynamoDBClient({}), tableName: requiredEnv('TABLE_NAME') });
const sns = new SNSClient({});
const linkKey = linkKeyFromEnv();
const topicArn = requiredEnv('APPROVAL_TOPIC_ARN');
const baseUrl = requiredEnv('APPROVAL_BASE_URL');

/** `lambda:invoke.waitForTaskToken` from an approval job's Task state. */
export const handler = observedSecret(async (event: unknown): Promise<ApprovalRequested> => {
  const requested = await requestAndPublish(event, {
    store,
    sns,
    topicArn,
    linkKey,
    baseUrl,
    clock: systemClock,
  });
  obs.logger.info('approval requested', { approvalId: requested.approvalId, published: requested.published });
  if (requested.published) obs.metrics.addMetric('ApprovalRequested', 'Count', 1);
  return requested;
}, obs);
