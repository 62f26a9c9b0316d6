import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DynamoStore } from '../../runtime/dynamo-store.js';
import { systemClock } from '../../runtime/gates.js';
import { requiredEnv } from '../shared/env.js';
import { errorResponse } from '../shared/http.js';
import { observability, observed } from '../shared/observability.js';
import { arnPartsOf } from '../submit/platform.js';
import {
  answerCompensations,
  type CompensationsDeps,
  type CompensationsInvocation,
  isCompensationsInvocation,
} from './compensations.js';
import { type RunsDeps, runsApi } from './runs.js';

const obs = observability('runs-api');
const deps: RunsDeps = {
  store: new DynamoStore({ client: new DynamoDBClient({}), tableName: requiredEnv('TABLE_NAME') }),
  sfn: new SFNClient({}),
  platform: arnPartsOf(requiredEnv('STATE_MACHINE_ARN_PREFIX')),
  clock: systemClock,
};

const compensationDeps: CompensationsDeps = {
  store: deps.store,
  s3: new S3Client({}),
  bucket: requiredEnv('ARTIFACTS_BUCKET'),
};

/**
 * The runs routes of the REST API (IAM auth), and the `compensations` Task of failed runs
 * (invoked by the state machine). An API error is a JSON answer; a compensations error throws,
 * so that the Task's retry sees it.
 */
export const handler = observed(
  async (
    event: APIGatewayProxyEvent | CompensationsInvocation,
  ): Promise<APIGatewayProxyResult | Awaited<ReturnType<typeof answerCompensations>>> => {
    if (isCompensationsInvocation(event)) return answerCompensations(compensationDeps, event);
    try {
      return await runsApi(deps, event);
    } catch (error) {
      return errorResponse(error, obs.logger);
    }
  },
  obs,
);
