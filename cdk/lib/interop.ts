import type { IVpc, Vpc } from 'aws-cdk-lib/aws-ec2';
import type { Bucket, IBucket } from 'aws-cdk-lib/aws-s3';

/*
 * aws-cdk-lib's classes declare a few optional interface members as `T | undefined` (Bucket's
 * `isWebsite`, Vpc's ...), which the project's `exactOptionalPropertyTypes` rejects although the
 * objects are exactly what the interface describes. These views are the only casts of the app.
 */

/** A bucket as `IBucket`. */
export function bucketRef(bucket: Bucket): IBucket {
  return bucket as unknown as IBucket;
}

/** A VPC as `IVpc`. */
export function vpcRef(vpc: Vpc): IVpc {
  return vpc as unknown as IVpc;
}
