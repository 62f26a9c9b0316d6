import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DynamoStore } from '../../runtime/dynamo-store.js';
import { systemClock } from '../../runtime/gates.js';
import { requiredEnv } from '../shared/env.js';
import { jsonErrors } from '../shared/http.js';
import { observability, observed } from '../shared/observability.js';
import { arnPartsOf } from '../submit/platform.js';
import { type RunsDeps, runsApi } from './runs.js';

const obs = observability('runs-api');
const deps: RunsDeps = {
  store: new DynamoStore({ client: new DynamoDBClient({}), tableName: requiredEnv('TABLE_NAME') }),
  sfn: new SFNClient({}),
  platform: arnPartsOf(requiredEnv('STATE_MACHINE_ARN_PREFIX')),
  clock: systemClock,
};

/** The runs routes of the REST API (IAM auth). */
export const handler = observed(
  async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => runsApi(deps, event),
  obs,
).use(jsonErrors(obs.logger));
