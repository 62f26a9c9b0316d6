import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { BUNDLING, NODE_OPTIONS } from './bundling.js';
import { arnPrefix, type Compute } from './compute.js';
import { allow, KEY_ENCRYPT_DECRYPT, TABLE_READ_WRITE, useKey } from './grants.js';
import { type Storage, SUBMIT_TIMEOUT } from './storage.js';

/** The handlers of lambdas/<name>/handler.ts, each exporting `handler`. */
export const HANDLER_NAMES = [
  'submit',
  'recorder',
  'runs-api',
  'approval-request',
  'approval-api',
  'gates',
] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];

interface HandlerSpec {
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize: number;
}

const SPECS: Readonly<Record<HandlerName, HandlerSpec>> = {
  submit: {
    description: 'Validates, compiles and deploys uploaded workflows, then starts or schedules their runs',
    timeout: SUBMIT_TIMEOUT,
    // Compiling a large workflow is CPU-bound; Lambda's CPU grows with memory.
    memorySize: 1024,
  },
  recorder: {
    description: 'Records execution and ECS task state changes as run events and snapshots',
    timeout: Duration.seconds(30),
    memorySize: 512,
  },
  'runs-api': {
    description: 'Lists, shows, cancels, retries, reruns and deletes runs; answers compensation lists',
    timeout: Duration.seconds(29),
    memorySize: 512,
  },
  'approval-request': {
    description: 'Stores an approval task token and publishes signed approval links',
    timeout: Duration.seconds(30),
    memorySize: 256,
  },
  'approval-api': {
    description: 'The signed-link approval page and decisions',
    timeout: Duration.seconds(29),
    memorySize: 256,
  },
  gates: {
    description: 'Waits for and releases cross-edge job dependencies',
    timeout: Duration.seconds(30),
    memorySize: 256,
  },
};

/** The directory with package.json and package-lock.json, from this file in cdk/lib or dist/cdk/lib. */
export function repoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  while (!existsSync(join(dir, 'package-lock.json'))) {
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`no package-lock.json above ${from}: the CDK app runs inside the repository`);
    dir = parent;
  }
  return dir;
}

/** Where a handler's source is, relative to the repository root. */
export function handlerEntry(name: HandlerName): string {
  return `lambdas/${name}/handler.ts`;
}

export interface HandlersProps {
  readonly storage: Storage;
  readonly compute: Compute;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Every Lambda handler, bundled from lambdas/<name>/handler.ts by the local esbuild (never
 * Docker), each with its own role and log group, and what invokes them: the submit queue, the
 * EventBridge rules of execution and ECS task state changes.
 */
export class Handlers extends Construct {
  readonly functions: Readonly<Record<HandlerName, NodejsFunction>>;
  readonly logGroups: Readonly<Record<HandlerName, LogGroup>>;
  /** EventBridge events the recorder could not take after retries. */
  readonly eventsDeadLetterQueue: Queue;
  readonly executionStatusRule: Rule;
  readonly taskStateRule: Rule;
  /** The submit function's ARN, built from its fixed name (it passes it to EventBridge Scheduler). */
  readonly submitArn: string;

  constructor(scope: Construct, id: string, props: HandlersProps) {
    super(scope, id);
    const root = repoRoot();
    const submitName = `${Stack.of(this).stackName}-submit`;
    this.submitArn = `${arnPrefix('lambda')}function:${submitName}`;
    const functions: Partial<Record<HandlerName, NodejsFunction>> = {};
    const logGroups: Partial<Record<HandlerName, LogGroup>> = {};
    for (const name of HANDLER_NAMES) {
      const { fn, logs } = this.#handler(name, root, props, name === 'submit' ? submitName : undefined);
      functions[name] = fn;
      logGroups[name] = logs;
    }
    this.functions = functions as Record<HandlerName, NodejsFunction>;
    this.logGroups = logGroups as Record<HandlerName, LogGroup>;

    const { storage } = props;
    for (const fn of Object.values(this.functions)) {
      fn.addEnvironment('TABLE_NAME', storage.table.tableName);
      allow(fn, 'ReadWriteStore', TABLE_READ_WRITE, [storage.table.tableArn]);
      useKey(fn, 'UseStoreKey', storage.key, KEY_ENCRYPT_DECRYPT);
    }

    this.functions.submit.addEventSource(
      new SqsEventSource(storage.queue, { batchSize: 1, reportBatchItemFailures: true }),
    );

    this.eventsDeadLetterQueue = new Queue(this, 'EventsDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    NagSuppressions.addResourceSuppressions(this.eventsDeadLetterQueue, [
      {
        id: 'AwsSolutions-SQS3',
        reason:
          'EventsDeadLetters is itself the dead-letter queue of the EventBridge targets of the recorder; a queue behind it would only move the problem',
      },
    ]);
    const recorderTarget = () =>
      new LambdaFunction(this.functions.recorder, {
        deadLetterQueue: this.eventsDeadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(6),
      });
    this.executionStatusRule = new Rule(this, 'ExecutionStatus', {
      description: 'Step Functions execution status changes of this account and region, for the run records',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [{ prefix: `${arnPrefix('states')}stateMachine:` }] },
      },
      targets: [recorderTarget()],
    });
    this.taskStateRule = new Rule(this, 'TaskState', {
      description: 'ECS task state changes of the Waterflow cluster, for job records',
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: { clusterArn: [props.compute.cluster.clusterArn] },
      },
      targets: [recorderTarget()],
    });
  }

  #handler(
    name: HandlerName,
    root: string,
    props: HandlersProps,
    functionName: string | undefined,
  ): { readonly fn: NodejsFunction; readonly logs: LogGroup } {
    const spec = SPECS[name];
    const id = name
      .split('-')
      .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
      .join('');
    const logs = new LogGroup(this, `${id}Logs`, {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    // Its own role with logs on its own group, instead of AWSLambdaBasicExecutionRole (logs anywhere).
    const role = new Role(this, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Waterflow ${name} handler`,
    });
    role.addToPolicy(
      new PolicyStatement({
        sid: 'WriteOwnLogs',
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logs.logGroupArn],
      }),
    );
    const fn = new NodejsFunction(this, id, {
      entry: join(root, handlerEntry(name)),
      handler: 'handler',
      ...(functionName === undefined ? {} : { functionName }),
      projectRoot: root,
      depsLockFilePath: join(root, 'package-lock.json'),
      // Lambda deprecated nodejs20.x on 2026-04-30; 22 is the oldest supported runtime, the closest
      // to the Node 20 the handlers are tested on, and runs the node20 bundle unchanged.
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      description: spec.description,
      timeout: spec.timeout,
      memorySize: spec.memorySize,
      role,
      logGroup: logs,
      tracing: Tracing.ACTIVE,
      environment: {
        NODE_OPTIONS,
        POWERTOOLS_SERVICE_NAME: name,
      },
      bundling: BUNDLING,
    });
    NagSuppressions.addResourceSuppressions(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: `${id}Role: X-Ray's PutTraceSegments and PutTelemetryRecords have no resource-level permissions, so active tracing needs Resource "*"`,
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );
    NagSuppressions.addResourceSuppressions(fn, [
      {
        id: 'AwsSolutions-L1',
        reason: `${id}: nodejs22.x, not the newest runtime: the handlers are built and tested on Node 20 (package.json engines), and 22 is the oldest runtime Lambda still supports (20 was deprecated on 2026-04-30); move all handlers together when the project moves`,
      },
    ]);
    return { fn, logs };
  }
}
