import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { signLink } from '../../../runtime/approval-links.js';
import { DynamoStore } from '../../../runtime/dynamo-store.js';
import { handlerEnv, lambdaContext, loadEvent } from '../../support/lambda.js';
import { startDynalite, type TestDynamo } from './dynalite.js';

/** The approval link key the mocked Secrets Manager holds. */
export const LINK_KEY = 'test-approval-link-key-of-32-byte';
export const BASE_URL = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod';
export const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:waterflow-approvals';
const SECRET_ID = 'waterflow/approval-link-key';

type Handler<E, R> = (event: E, context: ReturnType<typeof lambdaContext>) => Promise<R>;

/**
 * The approval handlers as Lambda runs them, over dynalite, with Step Functions, SNS and Secrets
 * Manager replaced at the SDK edge: what one test file needs to invoke them with fixture events.
 */
export interface ApprovalLambdas {
  readonly dynamo: TestDynamo;
  readonly store: DynamoStore;
  readonly sfn: AwsClientStub<SFNClient>;
  readonly sns: AwsClientStub<SNSClient>;
  request(event: unknown): Promise<unknown>;
  api(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult>;
  close(): Promise<void>;
}

/** Starts dynalite, sets the handlers' environment (plus `env`), mocks the edges and imports the handlers. */
export async function startApprovalLambdas(env: Record<string, string> = {}): Promise<ApprovalLambdas> {
  const dynamo = await startDynalite();
  const table = await dynamo.newTable();
  handlerEnv(dynamo.endpoint, table, {
    APPROVAL_LINK_KEY_SECRET: SECRET_ID,
    APPROVAL_TOPIC_ARN: TOPIC_ARN,
    APPROVAL_BASE_URL: BASE_URL,
    ...env,
  });
  const secrets = mockClient(SecretsManagerClient);
  secrets.on(GetSecretValueCommand, { SecretId: SECRET_ID }).resolves({ SecretString: LINK_KEY });
  const sfn = mockClient(SFNClient);
  const sns = mockClient(SNSClient);
  const requestModule = await import('../../../lambdas/approval-request/handler.js');
  const apiModule = await import('../../../lambdas/approval-api/handler.js');
  const request = requestModule.handler as unknown as Handler<unknown, unknown>;
  const api = apiModule.handler as unknown as Handler<APIGatewayProxyEvent, APIGatewayProxyResult>;
  return {
    dynamo,
    store: new DynamoStore({ client: dynamo.client, tableName: table }),
    sfn,
    sns,
    request: (event) => request(event, lambdaContext('approval-request')),
    api: (event) => api(event, lambdaContext('approval-api')),
    async close() {
      secrets.restore();
      sfn.restore();
      sns.restore();
      await dynamo.close();
    },
  };
}

export interface LinkParts {
  readonly id: string;
  readonly exp: string;
  readonly sig: string;
}

/** The signed link parts of approval `id`, valid until `expiresAt`. */
export function linkTo(id: string, expiresAt: number): LinkParts {
  return { id, exp: String(expiresAt), sig: signLink(LINK_KEY, id, expiresAt) };
}

/** An API Gateway event from fixture `name`, aimed at the link. */
export function apiEvent(
  name: string,
  link: LinkParts,
  change: Partial<APIGatewayProxyEvent> = {},
): APIGatewayProxyEvent {
  const event = loadEvent<APIGatewayProxyEvent>('apigateway', name);
  return {
    ...event,
    path: `/approvals/${link.id}`,
    pathParameters: { id: link.id },
    queryStringParameters: { exp: link.exp, sig: link.sig },
    multiValueQueryStringParameters: { exp: [link.exp], sig: [link.sig] },
    ...change,
  };
}

/** The link an SNS message carries, as its parts. */
export function linkInMessage(message: string): LinkParts & { readonly url: string } {
  const found = /(https:\/\/\S+\/approvals\/([A-Za-z0-9_-]+)\?exp=(\d+)&sig=([A-Za-z0-9_-]+))/.exec(message);
  if (found === null) throw new Error(`no approval link in the message:\n${message}`);
  const [, url = '', id = '', exp = '', sig = ''] = found;
  return { url, id, exp, sig };
}
