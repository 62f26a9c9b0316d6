import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DynamoStore } from '../../runtime/dynamo-store.js';
import { systemClock } from '../../runtime/gates.js';
import { requiredEnv } from '../shared/env.js';
import { errorResponse } from '../shared/http.js';
import { observability, observed } from '../shared/observability.js';
import { arnPartsOf, type Platform, platformFromEnv } from '../submit/platform.js';
import {
  answerCompensations,
  type CompensationsDeps,
  type CompensationsInvocation,
  isCompensationsInvocation,
} from './compensations.js';
import { type RunsDeps, runsApi } from './runs.js';

const obs = observability('runs-api');
const s3 = new S3Client({});
const bucket = requiredEnv('ARTIFACTS_BUCKET');
let platform: Platform | undefined;
const deps: RunsDeps = {
  store: new DynamoStore({ client: new DynamoDBClient({}), tableName: requiredEnv('TABLE_NAME') }),
  sfn: new SFNClient({}),
  platform: arnPartsOf(requiredEnv('STATE_MACHINE_ARN_PREFIX')),
  clock: systemClock,
  s3,
  bucket,
  // Read on the first rerun only: the other routes need none of the submit handler's environment.
  machines: () => {
    platform ??= withOwnArn(platformFromEnv());
    return platform;
  },
};

const compensationDeps: CompensationsDeps = {
  store: deps.store,
  s3,
  bucket,
  ecs: { client: new ECSClient({}), cluster: () => deps.machines().substitutions.ClusterArn },
};

/** The platform with this function as `RunsFunctionArn` (the compensations Task) unless given. */
function withOwnArn(given: Platform): Platform {
  const { partition, region, account, substitutions } = given;
  const own = `arn:${partition}:lambda:${region}:${account}:function:${process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'runs-api'}`;
  return { ...given, substitutions: { RunsFunctionArn: own, ...substitutions } };
}

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
