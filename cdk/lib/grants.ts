import { Effect, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';

/**
 * Grants with every action named. The CDK's `grant*` helpers use wildcard actions
 * (`s3:GetObject*`, `kms:GenerateDataKey*`, ...); the platform's rule is no `*` in an action.
 */

/** Adds one Allow statement to the grantee's policy. */
export function allow(
  grantee: IGrantable,
  sid: string,
  actions: string[],
  resources: string[],
  conditions?: Record<string, Record<string, unknown>>,
): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      sid,
      effect: Effect.ALLOW,
      actions: [...actions].sort(),
      resources,
      ...(conditions === undefined ? {} : { conditions }),
    }),
  );
}

/** Read and write items of a table (no Scan, no table management). */
export const TABLE_READ_WRITE = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
];

/** What a service that encrypts on the caller's behalf (DynamoDB, S3, SNS, Secrets Manager) needs of its key. */
export const KEY_ENCRYPT_DECRYPT = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'];

/** Decrypt only: reading an S3 object, a secret. */
export const KEY_DECRYPT = ['kms:Decrypt', 'kms:DescribeKey'];

/** Use of `key` for `actions`, by the services that encrypt for the grantee. */
export function useKey(grantee: IGrantable, sid: string, key: IKey, actions: string[]): void {
  allow(grantee, sid, actions, [key.keyArn]);
}
