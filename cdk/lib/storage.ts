import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { AccountRootPrincipal, Effect, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, EventType, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { CfnSecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Subscription, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { bucketRef } from './interop.js';

/** The attribute DynamoDB expires items by: `ttl`, seconds since the epoch (runtime/approval-records.ts). */
export const TTL_ATTRIBUTE = 'ttl';

/**
 * The account administers the key and delegates its use to IAM policies, as the default key
 * policy does, with every action named instead of `kms:*`.
 */
const KEY_ACCOUNT_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListAliases',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:RetireGrant',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];

function keyPolicy(): PolicyDocument {
  return new PolicyDocument({
    statements: [
      new PolicyStatement({
        sid: 'AccountAdministersAndDelegates',
        effect: Effect.ALLOW,
        principals: [new AccountRootPrincipal()],
        actions: KEY_ACCOUNT_ACTIONS,
        resources: ['*'],
      }),
    ],
  });
}

/** How many times a definition upload is tried before its message goes to the dead-letter queue. */
export const SUBMIT_MAX_RECEIVE_COUNT = 3;

/** How long the submit handler may run on one message; the queue's visibility is 6 times this (AWS's advice). */
export const SUBMIT_TIMEOUT = Duration.minutes(2);

export interface StorageProps {
  readonly removalPolicy: RemovalPolicy;
  readonly approvalEmails: ReadonlyArray<string>;
  /** Days before run artifacts and noncurrent versions expire. */
  readonly expirationDays: number;
}

/**
 * Where Waterflow keeps its state: the store table (runs, gates, approvals), the definitions and
 * artifacts buckets, the submit queue and its dead-letter queue, the approval topic, the link key.
 */
export class Storage extends Construct {
  /** Encrypts the table, the definitions bucket, the topic and the link key. */
  readonly key: Key;
  readonly table: Table;
  /** Workflow YAML: an upload starts the submit handler through `queue`. */
  readonly definitions: Bucket;
  /** Job outputs and artifacts under `runs/` (docs/compilation.md, "S3 layout"). */
  readonly artifacts: Bucket;
  readonly accessLogs: Bucket;
  /** S3 object-created events of the definitions bucket, for the submit handler. */
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  /** Approval links go out here (email subscriptions from context). */
  readonly approvalTopic: Topic;
  /** The HMAC key approval links are signed with. */
  readonly linkKey: CfnSecret;
  readonly linkKeyArn: string;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy;
    this.key = new Key(this, 'Key', {
      description: 'Waterflow: the store table, definitions bucket, approval topic and link key',
      enableKeyRotation: true,
      policy: keyPolicy(),
      removalPolicy,
    });

    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      removalPolicy,
    });

    this.accessLogs = new Bucket(this, 'AccessLogs', {
      // S3 server access logs can only be delivered to a bucket with SSE-S3.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [
        { expiration: Duration.days(props.expirationDays), noncurrentVersionExpiration: Duration.days(1) },
      ],
      removalPolicy,
      autoDeleteObjects: false,
    });
    NagSuppressions.addResourceSuppressions(this.accessLogs, [
      {
        id: 'AwsSolutions-S1',
        reason:
          'AccessLogs is the target of the server access logs of the other buckets; logging it into itself would loop',
      },
    ]);

    this.definitions = new Bucket(this, 'Definitions', {
      encryption: BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: bucketRef(this.accessLogs),
      serverAccessLogsPrefix: 'definitions/',
      // The current version of a definition is what is deployed; old ones are history only.
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(props.expirationDays) }],
      removalPolicy,
    });

    this.artifacts = new Bucket(this, 'Artifacts', {
      // SSE-S3, not KMS: the job containers' and state machines' IAM (compiler/kinds/container-iam.ts)
      // grants S3 actions only, and a KMS bucket would need kms:Decrypt/GenerateDataKey beside them.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: bucketRef(this.accessLogs),
      serverAccessLogsPrefix: 'artifacts/',
      lifecycleRules: [
        {
          prefix: 'runs/',
          expiration: Duration.days(props.expirationDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy,
    });

    this.deadLetterQueue = new Queue(this, 'SubmitDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    this.queue = new Queue(this, 'Submit', {
      // S3 cannot send to a queue under a customer managed key without a key policy for s3.amazonaws.com; SSE-SQS needs none.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(SUBMIT_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: SUBMIT_MAX_RECEIVE_COUNT },
      removalPolicy,
    });

    // Each uploaded definition becomes one message for the submit handler.
    for (const suffix of ['.yaml', '.yml']) {
      this.definitions.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(this.queue), {
        suffix,
      });
    }

    this.approvalTopic = new Topic(this, 'Approvals', {
      displayName: 'Waterflow approvals',
      masterKey: this.key,
      enforceSSL: true,
    });
    props.approvalEmails.forEach((email, i) => {
      new Subscription(this, `ApprovalEmail${i}`, {
        topic: this.approvalTopic,
        protocol: SubscriptionProtocol.EMAIL,
        endpoint: email,
      });
    });

    // The L1 resource: the Secret construct adds key policy statements with wildcard actions
    // (kms:GenerateDataKey*, kms:ReEncrypt*); the key policy already delegates to IAM.
    this.linkKey = new CfnSecret(this, 'LinkKey', {
      description: 'Waterflow: HMAC-SHA256 key that signs approval links',
      kmsKeyId: this.key.keyArn,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    this.linkKey.applyRemovalPolicy(removalPolicy);
    this.linkKeyArn = this.linkKey.ref;
    NagSuppressions.addResourceSuppressions(this.linkKey, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'LinkKey signs approval links that stay valid until their approval expires: automatic rotation would invalidate links in flight. Rotate it by hand with `aws secretsmanager put-secret-value` when needed.',
      },
    ]);
  }
}
