import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../cdk/lib/api.js';
import { HANDLER_NAMES, handlerEntry } from '../../cdk/lib/handlers.js';
import { platformFromEnv } from '../../lambdas/submit/platform.js';
import { actionsOf, type Json, policyStatements, type Resource, synthStack } from './support.js';

/** Every definition substitution the compiler emits (compiler/lower and compiler/kinds). */
const COMPILER_SUBSTITUTIONS = [
  'ApprovalFunctionArn',
  'ArtifactsBucket',
  'ArtifactsBucketArn',
  'AssignPublicIp',
  'AwsAccountId',
  'AwsPartition',
  'AwsRegion',
  'ClusterArn',
  'ExecutionArnPrefix',
  'ExecutionRoleArn',
  'GateFunctionArn',
  'RunsFunctionArn',
  'SecretsManagerArnPrefix',
  'SecurityGroupIds',
  'SidecarImage',
  'StateMachineArnPrefix',
  'SubnetIds',
  'TaskRoleArn',
];

/** A template value as a deployment would make it: references become plausible ARNs. */
function deployed(value: Json): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return String(value);
  const [[fn, args] = ['', null]] = Object.entries(value);
  if (fn === 'Ref')
    return String(args).startsWith('AWS::') ? 'aws' : `arn:aws:ref:eu-west-1:123456789012:${String(args)}`;
  if (fn === 'Fn::GetAtt') return `arn:aws:getatt:eu-west-1:123456789012:${(args as Json[]).join('.')}`;
  if (fn === 'Fn::Join') {
    const [separator, parts] = args as [string, Json[]];
    return parts.map(deployed).join(separator);
  }
  return JSON.stringify(value);
}

// One synth for the whole file: it is the slow part.
let template: Template;
let resources: Record<string, Resource>;
let errors: ReadonlyArray<string>;
let warnings: ReadonlyArray<string>;

beforeAll(() => {
  const synthesized = synthStack({
    approvalEmails: 'alice@example.com,bob@example.com',
    alarmEmails: ['ops@example.com'],
    logRetentionDays: 14,
    removalPolicy: 'destroy',
  });
  template = synthesized.template;
  resources = template.toJSON().Resources as Record<string, Resource>;
  errors = synthesized.errors;
  warnings = synthesized.warnings;
});

function ofType(type: string): Array<[string, Resource]> {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

function logicalIdOf(type: string, idPart: string): string {
  const match = ofType(type).find(([id]) => id.includes(idPart));
  if (match === undefined) throw new Error(`no ${type} whose id contains ${idPart}`);
  return match[0];
}

/** `/runs/{id}/cancel` for a method, from its resource's PathPart chain. */
function methodPath(method: Resource): string {
  const parts: string[] = [];
  let ref = method.Properties?.ResourceId;
  for (;;) {
    if (ref === null || typeof ref !== 'object' || Array.isArray(ref)) break;
    const target = typeof ref.Ref === 'string' ? resources[ref.Ref] : undefined;
    if (target === undefined || target.Type !== 'AWS::ApiGateway::Resource') break;
    parts.unshift(String(target.Properties?.PathPart));
    ref = target.Properties?.ParentId ?? null;
  }
  return `/${parts.join('/')}`;
}

describe('the Waterflow stack', () => {
  it('passes cdk-nag AwsSolutions with no unsuppressed error or warning', () => {
    expect(errors.filter((e) => e.includes('AwsSolutions-'))).toStrictEqual([]);
    expect(warnings.filter((w) => w.includes('AwsSolutions-'))).toStrictEqual([]);
    // The checks did run: suppressed findings are recorded in the template metadata.
    expect(JSON.stringify(template.toJSON())).toContain('AwsSolutions-IAM5');
  });

  it('keeps runs in one on-demand table with PITR, TTL on ttl and a customer managed key', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
    });
  });

  it('rotates its KMS key and names every action of its key policy', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('encrypts, versions and closes every bucket to the public', () => {
    const buckets = ofType('AWS::S3::Bucket');
    expect(buckets.length).toBe(3);
    for (const [, bucket] of buckets) {
      expect(bucket.Properties?.BucketEncryption).toBeDefined();
      expect(bucket.Properties?.VersioningConfiguration).toStrictEqual({ Status: 'Enabled' });
      expect(bucket.Properties?.PublicAccessBlockConfiguration).toStrictEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties?.LifecycleConfiguration).toBeDefined();
    }
  });

  it('encrypts the definitions bucket with the KMS key and the artifacts bucket with SSE-S3', () => {
    const key = logicalIdOf('AWS::KMS::Key', 'StorageKey');
    const definitions = resources[logicalIdOf('AWS::S3::Bucket', 'Definitions')];
    expect(definitions?.Properties?.BucketEncryption).toStrictEqual({
      ServerSideEncryptionConfiguration: [
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: { 'Fn::GetAtt': [key, 'Arn'] },
          },
        },
      ],
    });
    const artifacts = resources[logicalIdOf('AWS::S3::Bucket', 'Artifacts')];
    expect(artifacts?.Properties?.BucketEncryption).toStrictEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
  });

  it('denies every request without TLS on every bucket, queue and topic', () => {
    for (const type of ['AWS::S3::BucketPolicy', 'AWS::SQS::QueuePolicy', 'AWS::SNS::TopicPolicy']) {
      const policies = ofType(type);
      expect(policies.length).toBeGreaterThan(0);
      for (const [id, policy] of policies) {
        const denies = policyStatements({ [id]: policy }).filter(
          ({ statement }) =>
            statement.Effect === 'Deny' &&
            JSON.stringify(statement.Condition) ===
              JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
        );
        expect(denies.length, id).toBeGreaterThan(0);
      }
    }
    expect(ofType('AWS::S3::Bucket').length).toBe(ofType('AWS::S3::BucketPolicy').length);
  });

  it('sends definition uploads to the submit queue, whose failures go to its dead-letter queue', () => {
    const dlq = logicalIdOf('AWS::SQS::Queue', 'SubmitDeadLetters');
    const queue = Object.entries(resources).find(
      ([id, r]) => r.Type === 'AWS::SQS::Queue' && id.includes('StorageSubmit') && id !== dlq,
    )?.[0];
    expect(queue).toBeDefined();
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 3 },
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 720,
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] },
      FunctionName: { Ref: logicalIdOf('AWS::Lambda::Function', 'Submit') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: Match.arrayWith([
          Match.objectLike({
            Events: ['s3:ObjectCreated:*'],
            QueueArn: { 'Fn::GetAtt': [queue, 'Arn'] },
          }),
        ]),
      },
    });
  });

  it('encrypts every queue', () => {
    for (const [, queue] of ofType('AWS::SQS::Queue')) {
      expect(queue.Properties?.SqsManagedSseEnabled ?? queue.Properties?.KmsMasterKeyId).toBeTruthy();
    }
  });

  it('publishes approval links to a KMS-encrypted topic with the context emails subscribed', () => {
    for (const [, topic] of ofType('AWS::SNS::Topic')) expect(topic.Properties?.KmsMasterKeyId).toBeDefined();
    const emails = ofType('AWS::SNS::Subscription').map(([, s]) => s.Properties?.Endpoint);
    expect(emails.sort()).toStrictEqual(['alice@example.com', 'bob@example.com', 'ops@example.com']);
  });

  it('runs jobs on an ECS cluster with Fargate and Fargate Spot and Container Insights', () => {
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: Match.arrayWith(['FARGATE', 'FARGATE_SPOT']),
    });
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });

  it('creates a VPC with flow logs when the context names none', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
  });

  it('bundles every handler as a Node.js 20 function with X-Ray tracing and its own log group', () => {
    const handlers = ofType('AWS::Lambda::Function').filter(([id]) => id.startsWith('Handlers'));
    expect(handlers.length).toBe(HANDLER_NAMES.length);
    for (const [id, fn] of handlers) {
      expect(fn.Properties?.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties?.TracingConfig, id).toStrictEqual({ Mode: 'Active' });
      expect(fn.Properties?.LoggingConfig, id).toStrictEqual({
        LogGroup: { Ref: expect.stringMatching(/Logs/) },
      });
      expect(fn.Properties?.Environment, id).toMatchObject({
        Variables: { TABLE_NAME: { Ref: logicalIdOf('AWS::DynamoDB::Table', 'StorageTable') } },
      });
    }
    expect(HANDLER_NAMES.map(handlerEntry)).toContain('lambdas/approval-api/handler.ts');
  });

  it('gives submit and runs-api an environment that lambdas/submit/platform.ts reads, with every substitution the compiler can name', () => {
    for (const name of ['HandlersSubmit', 'HandlersRunsApi']) {
      const fn = resources[logicalIdOf('AWS::Lambda::Function', name)];
      const variables = ((fn?.Properties?.Environment as { Variables?: Record<string, Json> } | undefined)
        ?.Variables ?? {}) as Record<string, Json>;
      const env = Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, deployed(value)]));

      const platform = platformFromEnv({ ...env, AWS_REGION: 'eu-west-1' });

      expect(platform.stateMachineRoleArn, name).toMatch(/^arn:/);
      expect(platform.schedules.roleArn, name).toMatch(/^arn:/);
      expect(platform.executionLogGroupArn, name).toMatch(/^arn:/);
      expect(Object.keys(platform.substitutions).sort(), name).toStrictEqual(
        expect.arrayContaining(
          COMPILER_SUBSTITUTIONS.filter((s) => name === 'HandlersSubmit' || s !== 'RunsFunctionArn'),
        ),
      );
    }
  });

  it('gives the approval request handler its topic, base URL and link key', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          APPROVAL_TOPIC_ARN: Match.anyValue(),
          APPROVAL_BASE_URL: Match.anyValue(),
          APPROVAL_LINK_KEY_SECRET: Match.anyValue(),
        }),
      },
    });
  });

  it('keeps every log group for the configured retention', () => {
    const groups = ofType('AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThanOrEqual(HANDLER_NAMES.length + 4);
    for (const [id, group] of groups) expect(group.Properties?.RetentionInDays, id).toBe(14);
  });

  it('puts IAM auth on management routes and no auth on the signed-link approval routes', () => {
    const methods = ofType('AWS::ApiGateway::Method').map(([, m]) => ({
      route: `${String(m.Properties?.HttpMethod)} ${methodPath(m)}`,
      auth: m.Properties?.AuthorizationType,
    }));
    const expected = ROUTES.map((r) => ({
      route: `${r.method} ${r.path}`,
      auth: r.auth === 'iam' ? 'AWS_IAM' : 'NONE',
    }));
    const byRoute = (a: { route: string }, b: { route: string }) => a.route.localeCompare(b.route);
    expect(methods.sort(byRoute)).toStrictEqual(expected.sort(byRoute));
    expect(methods.filter((m) => m.route.includes('/approvals/')).length).toBe(2);
  });

  it('logs and traces the API stage and validates requests', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
      MethodSettings: [Match.objectLike({ LoggingLevel: 'ERROR', DataTraceEnabled: false })],
    });
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
  });

  it('routes execution status and ECS task state changes to the recorder', () => {
    const recorder = logicalIdOf('AWS::Lambda::Function', 'HandlersRecorder');
    for (const [source, detailType] of [
      ['aws.states', 'Step Functions Execution Status Change'],
      ['aws.ecs', 'ECS Task State Change'],
    ]) {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.objectLike({ source: [source], 'detail-type': [detailType] }),
        Targets: [
          Match.objectLike({ Arn: { 'Fn::GetAtt': [recorder, 'Arn'] }, DeadLetterConfig: Match.anyValue() }),
        ],
      });
    }
  });

  it('lets EventBridge Scheduler invoke only the submit handler', () => {
    const role = logicalIdOf('AWS::IAM::Role', 'SchedulerRole');
    const statements = policyStatements(resources).filter(({ where }) =>
      ofType('AWS::IAM::Policy').some(
        ([id, p]) => where.startsWith(id) && JSON.stringify(p.Properties?.Roles).includes(role),
      ),
    );
    expect(statements.map(({ statement }) => actionsOf(statement))).toStrictEqual([
      ['lambda:InvokeFunction'],
    ]);
  });

  it('has no IAM statement that allows a wildcard action, in any policy', () => {
    const statements = policyStatements(resources);
    expect(statements.length).toBeGreaterThan(50);
    const wildcards = statements
      .filter(({ statement }) => statement.Effect === 'Allow')
      .flatMap(({ where, statement }) =>
        actionsOf(statement)
          .filter((action) => action.includes('*'))
          .map((action) => `${where}: ${action}`),
      );
    expect(wildcards).toStrictEqual([]);
  });

  it('scopes iam:PassRole of the submit handler to the platform roles', () => {
    const passes = policyStatements(resources).filter(({ statement }) =>
      actionsOf(statement).includes('iam:PassRole'),
    );
    expect(passes.length).toBeGreaterThan(0);
    for (const { statement } of passes) expect(JSON.stringify(statement.Resource)).not.toMatch(/"\*"/);
  });

  it('alarms on both dead-letter queues, failed runs and every handler error', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBe(2 + 1 + HANDLER_NAMES.length);
    for (const [, alarm] of alarms) expect(alarm.Properties?.AlarmActions).toBeDefined();
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('outputs the API URL, the definitions bucket and the approval base URL', () => {
    const outputs = Object.keys(template.toJSON().Outputs as Record<string, Json>);
    expect(outputs).toStrictEqual(
      expect.arrayContaining(['ApiUrl', 'DefinitionsBucketName', 'ApprovalBaseUrl']),
    );
  });
});
