import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { Api } from './api.js';
import { Compute } from './compute.js';
import type { WaterflowConfig } from './config.js';
import { wireHandlers } from './handler-wiring.js';
import { Handlers } from './handlers.js';
import { Observability } from './observability.js';
import { platformValues } from './platform-values.js';
import { Storage } from './storage.js';
import { readWorkflows, type WorkflowSource, Workflows } from './workflows.js';

export interface WaterflowStackProps extends StackProps {
  readonly config: WaterflowConfig;
  /** Workflows to deploy with the stack; read from `config.workflowsDir` when absent. */
  readonly workflows?: ReadonlyArray<WorkflowSource>;
}

/** The Waterflow platform (DESIGN §4): storage, compute, handlers, API, workflows, observability. */
export class WaterflowStack extends Stack {
  readonly storage: Storage;
  readonly compute: Compute;
  readonly handlers: Handlers;
  readonly api: Api;
  readonly workflows: Workflows;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: WaterflowStackProps) {
    super(scope, id, props);
    const { config } = props;
    const common = { logRetention: config.logRetention, removalPolicy: config.removalPolicy };

    this.storage = new Storage(this, 'Storage', {
      removalPolicy: config.removalPolicy,
      approvalEmails: config.approvalEmails,
      expirationDays: config.artifactsExpirationDays,
    });
    this.compute = new Compute(this, 'Compute', {
      ...common,
      ...(config.vpc === undefined ? {} : { vpc: config.vpc }),
      assignPublicIp: config.assignPublicIp,
    });
    this.handlers = new Handlers(this, 'Handlers', {
      ...common,
      storage: this.storage,
      compute: this.compute,
    });
    this.api = new Api(this, 'Api', { ...common, functions: this.handlers.functions });

    const values = platformValues(this.storage, this.compute, this.handlers, config.sidecarImage);
    const sources =
      props.workflows ?? (config.workflowsDir === undefined ? [] : readWorkflows(config.workflowsDir));
    this.workflows = new Workflows(this, 'Workflows', {
      ...common,
      values,
      jobLogs: this.compute.jobLogs,
      sources,
    });
    wireHandlers({
      storage: this.storage,
      compute: this.compute,
      handlers: this.handlers,
      api: this.api,
      workflows: this.workflows,
      values,
    });

    this.observability = new Observability(this, 'Observability', {
      key: this.storage.key,
      functions: this.handlers.functions,
      deadLetterQueues: {
        SubmitDeadLetters: this.storage.deadLetterQueue,
        EventsDeadLetters: this.handlers.eventsDeadLetterQueue,
      },
      api: this.api,
      alarmEmails: config.alarmEmails,
    });

    NagSuppressions.addResourceSuppressionsByPath(
      this,
      `/${this.stackName}/BucketNotificationsHandler050a0587b7544547bf325f094a3db834/Role/Resource`,
      [
        {
          id: 'AwsSolutions-IAM4',
          reason:
            'BucketNotificationsHandler (the CDK singleton that sets the definitions bucket notifications at deploy time) uses AWSLambdaBasicExecutionRole for its own logs; the CDK creates its role and offers no way to replace the policy',
          appliesTo: [
            'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
          ],
        },
      ],
    );
    new CfnOutput(this, 'ApiUrl', {
      value: `${this.api.baseUrl}/`,
      description: 'REST API base URL; management routes need SigV4 (IAM) signatures',
    });
    new CfnOutput(this, 'DefinitionsBucketName', {
      value: this.storage.definitions.bucketName,
      description: 'Upload workflow YAML here (aws s3 cp build.yaml s3://<bucket>/) to deploy and run it',
    });
    new CfnOutput(this, 'ApprovalBaseUrl', {
      value: this.api.baseUrl,
      description: 'Approval links are <this>/approvals/<id>?...; no IAM, the link is signed',
    });
    new CfnOutput(this, 'OperatorPolicyResource', {
      value: this.api.restApi.arnForExecuteApi(),
      description: 'Grant execute-api:Invoke on this ARN to the principals that manage workflows and runs',
    });
  }
}
