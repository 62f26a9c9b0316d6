import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoStore } from '../../runtime/dynamo-store.js';
import { systemClock } from '../../runtime/gates.js';
import { requiredEnv } from '../shared/env.js';
import { observability } from '../shared/observability.js';
import { observedSecret } from '../shared/observed-secret.js';
import { type GateResult, handleGateEvent } from './gates.js';

const obs = observability('gates');
const store = new DynamoStore({ client: new DynamoDBClient({}), tableName: requiredEnv('TABLE_NAME') });
// More attempts than the default 3: a completed gate whose answer is lost is answered by nobody.
const sfn = new SFNClient({ maxAttempts: 6 });

/** `wait` (`lambda:invoke.waitForTaskToken`) and `release` (`lambda:invoke`) from gate Task states. */
export const handler = observedSecret(async (event: unknown): Promise<GateResult> => {
  const result = await handleGateEvent(event, {
    store,
    sfn,
    clock: systemClock,
    onUndelivered: (runId, job, delivery) =>
      obs.logger.warn('gate answer not delivered: the run no longer waits', {
        runId,
        job,
        reason: delivery.reason,
      }),
  });
  if (result.action === 'release') obs.metrics.addMetric('GateCompleted', 'Count', result.released);
  else if (result.complete) obs.metrics.addMetric('GateCompleted', 'Count', 1);
  return result;
}, obs);
