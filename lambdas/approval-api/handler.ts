import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DynamoStore } from '../../runtime/dynamo-store.js';
import { systemClock } from '../../runtime/gates.js';
import { requiredEnv } from '../shared/env.js';
import { linkKeyFromEnv } from '../shared/link-key.js';
import { observability } from '../shared/observability.js';
import { observedSecret } from '../shared/observed-secret.js';
import { type ApprovalApiEvent, approvalApi, internalError } from './api.js';

const obs = observability('approval-api');
const store = new DynamoStore({ client: new DynamoDBClient({}), tableName: requiredEnv('TABLE_NAME') });
// More attempts than the default 3: a decision that cannot reach its task is not retried by anyone.
const sfn = new SFNClient({ maxAttempts: 6 });
const linkKey = linkKeyFromEnv();

function observe(event: ApprovalApiEvent): void {
  if (event.kind === 'decided') {
    obs.logger.info('approval decided', { approvalId: event.id, outcome: event.outcome });
    obs.metrics.addMetric('ApprovalDecided', 'Count', 1);
  } else {
    obs.logger.warn('approval decision not delivered', { approvalId: event.id, reason: event.reason });
    obs.metrics.addMetric('ApprovalUndelivered', 'Count', 1);
  }
}

/** `GET` and `POST /approvals/{id}` behind API Gateway (REST, proxy integration). */
export const handler = observedSecret<APIGatewayProxyEvent, APIGatewayProxyResult>(
  (event) => approvalApi(event, { store, sfn, linkKey, clock: systemClock, observe }),
  obs,
).onError(async (request) => {
  // Store or Step Functions failures: a fixed page, the cause in the log (store errors name hashed keys only).
  const error = request.error;
  obs.logger.error('approval request failed', error instanceof Error ? error : new Error(String(error)));
  request.response = internalError(request.event);
});
