import { Aws, type RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { HandlerName } from './handlers.js';

/** The API's only stage. */
export const STAGE_NAME = 'v1';

/** Who may call a route: IAM (SigV4-signed by a principal of the account) or anyone holding a signed link. */
export type RouteAuth = 'iam' | 'signed-link';

export interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly handler: HandlerName;
  readonly auth: RouteAuth;
}

/** Every route of the REST API; docs/cloud.md describes what each answers. */
export const ROUTES: ReadonlyArray<Route> = [
  { method: 'POST', path: '/workflows', handler: 'submit', auth: 'iam' },
  { method: 'GET', path: '/workflows', handler: 'runs-api', auth: 'iam' },
  { method: 'POST', path: '/workflows/{name}/runs', handler: 'submit', auth: 'iam' },
  { method: 'GET', path: '/workflows/{name}/runs', handler: 'runs-api', auth: 'iam' },
  { method: 'GET', path: '/runs/{id}', handler: 'runs-api', auth: 'iam' },
  { method: 'DELETE', path: '/runs/{id}', handler: 'runs-api', auth: 'iam' },
  { method: 'POST', path: '/runs/{id}/cancel', handler: 'runs-api', auth: 'iam' },
  { method: 'POST', path: '/runs/{id}/retry', handler: 'runs-api', auth: 'iam' },
  { method: 'POST', path: '/runs/{id}/rerun', handler: 'runs-api', auth: 'iam' },
  // The link's HMAC signature and expiry are the authentication: approvers are people with an email, not AWS principals.
  { method: 'GET', path: '/approvals/{id}', handler: 'approval-api', auth: 'signed-link' },
  { method: 'POST', path: '/approvals/{id}', handler: 'approval-api', auth: 'signed-link' },
];

export interface ApiProps {
  readonly functions: Readonly<Record<HandlerName, IFunction>>;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** The REST API (API Gateway v1): management routes behind IAM auth, approval routes behind signed links. */
export class Api extends Construct {
  readonly restApi: RestApi;
  readonly accessLogs: LogGroup;
  /**
   * `https://<id>.execute-api.<region>.<suffix>/v1`, built from the API id rather than the stage,
   * so that handlers may hold it without a dependency cycle through the API's own methods.
   */
  readonly baseUrl: string;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.restApi = new RestApi(this, 'Api', {
      description: 'Waterflow: workflows, runs and approvals',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // Stage logging needs the account's API Gateway CloudWatch role.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: props.removalPolicy,
      deployOptions: {
        stageName: STAGE_NAME,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: MethodLoggingLevel.ERROR,
        // Request and response bodies would put approval comments and params in the logs.
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: 50,
        throttlingBurstLimit: 100,
      },
    });
    const validator = this.restApi.addRequestValidator('Validator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const integrations = new Map<HandlerName, LambdaIntegration>();
    for (const route of ROUTES) {
      const resource = this.restApi.root.resourceForPath(route.path);
      let integration = integrations.get(route.handler);
      if (integration === undefined) {
        integration = new LambdaIntegration(props.functions[route.handler], { proxy: true });
        integrations.set(route.handler, integration);
      }
      const method = resource.addMethod(route.method, integration, {
        authorizationType: route.auth === 'iam' ? AuthorizationType.IAM : AuthorizationType.NONE,
        requestValidator: validator,
      });
      if (route.auth === 'signed-link') {
        NagSuppressions.addResourceSuppressions(method, [
          {
            id: 'AwsSolutions-APIG4',
            reason: `${route.method} ${route.path}: approvers open an emailed link and are not AWS principals; the link's HMAC-SHA256 signature over the approval id and expiry (Secrets Manager key) is checked by the approval-api handler, and decisions are POSTs with conditional writes`,
          },
          {
            id: 'AwsSolutions-COG4',
            reason: `${route.method} ${route.path}: authenticated by the signed link, not by a user pool (approvers need no account)`,
          },
        ]);
      } else {
        NagSuppressions.addResourceSuppressions(method, [
          {
            id: 'AwsSolutions-COG4',
            reason: `${route.method} ${route.path}: a management route for the platform's operators and the waterflow CLI, authenticated with IAM (SigV4) instead of a Cognito user pool`,
          },
        ]);
      }
    }
    NagSuppressions.addResourceSuppressions(
      this.restApi,
      [
        {
          id: 'AwsSolutions-APIG3',
          reason:
            'Api: management routes need IAM signatures and approval routes a signed link, and the stage is throttled (50 req/s, burst 100); attach a WAF web ACL to the v1 stage where an organisation requires one',
        },
      ],
      true,
    );
    NagSuppressions.addResourceSuppressions(
      this.restApi,
      [
        {
          id: 'AwsSolutions-IAM4',
          reason:
            'Api CloudWatchRole: the account-level logging role uses the AWS managed AmazonAPIGatewayPushToCloudWatchLogs policy, which AWS documents for this purpose',
          appliesTo: [
            'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
          ],
        },
      ],
      true,
    );
    this.baseUrl = `https://${this.restApi.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}/${STAGE_NAME}`;
  }
}
