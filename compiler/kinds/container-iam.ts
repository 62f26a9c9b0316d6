import type { PermissionSpec, TaskDefinitionSpec } from '../compile/output.js';
import type { Workflow } from '../ir.js';
import { sidecarsOf } from './sidecars.js';

/**
 * The IAM of the roles a container job's task runs with (beyond what every task needs, which
 * the platform grants: image pull and logs on the execution role). Resources hold the
 * substitutions of the compile output (`${ArtifactsBucketArn}`, `${AwsRegion}`, ...).
 */

/** Returns the `${Name}` placeholder of a substitution, recording that the output uses it. */
export type Placeholder = (substitution: string) => string;

/** Job names in ARN patterns: names are `[A-Za-z0-9_-]`, so no IAM wildcard can sneak in. */
function byJob(prefix: string, jobs: ReadonlySet<string>, suffix: string): string[] {
  return [...jobs].sort().map((job) => `${prefix}/runs/*/${job}/${suffix}`);
}

/**
 * The task role (`TaskRoleArn`): the uploaders write under their own job's prefix, the init
 * containers list and read the artifacts of the jobs their `artifactsFrom` names.
 */
export function taskRolePermissions(workflow: Workflow, p: Placeholder): PermissionSpec[] {
  const writers = new Set<string>();
  const read = new Set<string>();
  for (const job of workflow.jobs) {
    if (job.kind !== 'container') continue;
    if (sidecarsOf(job)?.uploader === true) writers.add(job.name);
    for (const from of job.artifactsFrom) read.add(from.job);
  }
  if (read.size === 0 && writers.size === 0) return [];
  const bucket = p('ArtifactsBucketArn');
  const permissions: PermissionSpec[] = [];
  if (read.size > 0) {
    // `aws s3 cp --recursive` lists the prefix first; ListBucket is granted on the bucket, for those prefixes only.
    permissions.push({
      sid: 'ListUpstreamArtifacts',
      actions: ['s3:ListBucket'],
      resources: [bucket],
      conditions: { StringLike: { 's3:prefix': [...read].sort().map((job) => `runs/*/${job}/artifacts/*`) } },
    });
    permissions.push({
      sid: 'ReadUpstreamArtifacts',
      actions: ['s3:GetObject'],
      resources: byJob(bucket, read, 'artifacts/*'),
    });
  }
  if (writers.size > 0) {
    // Multipart uploads (files over 8 MB) need PutObject for every part, AbortMultipartUpload to clean up.
    permissions.push({
      sid: 'WriteJobOutputsAndArtifacts',
      actions: ['s3:AbortMultipartUpload', 's3:PutObject'],
      resources: byJob(bucket, writers, '*'),
    });
  }
  return permissions;
}

/**
 * The execution role (`ExecutionRoleArn`): ECS reads each task definition secret before the
 * container starts. Secrets Manager ARNs end in a random 6-character suffix (`-??????`);
 * `kms:Decrypt` is allowed only through those two services, for secrets under a customer
 * managed key (the AWS managed keys need no grant).
 */
export function executionRolePermissions(
  specs: ReadonlyArray<TaskDefinitionSpec>,
  p: Placeholder,
): PermissionSpec[] {
  // The spec's secrets already hold this placeholder when they name Secrets Manager secrets.
  const prefix = `\${SecretsManagerArnPrefix}`;
  const secrets = new Set<string>();
  const parameters = new Set<string>();
  for (const spec of specs) {
    for (const container of spec.containers) {
      for (const { valueFrom } of container.secrets) {
        if (valueFrom.startsWith(prefix)) {
          // `<prefix><id>:<json key>::` names a key inside the secret: the grant is on the secret.
          const id = valueFrom.slice(prefix.length).split(':')[0] ?? '';
          secrets.add(`${prefix}${id}-??????`);
        } else if (valueFrom.startsWith('arn:')) {
          parameters.add(valueFrom);
        } else {
          const ssm = `arn:${p('AwsPartition')}:ssm:${p('AwsRegion')}:${p('AwsAccountId')}:parameter/`;
          parameters.add(`${ssm}${valueFrom.replace(/^\//, '')}`);
        }
      }
    }
  }
  const permissions: PermissionSpec[] = [];
  if (secrets.size > 0)
    permissions.push({
      sid: 'ReadJobSecrets',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [...secrets].sort(),
    });
  if (parameters.size > 0)
    permissions.push({
      sid: 'ReadJobParameters',
      actions: ['ssm:GetParameters'],
      resources: [...parameters].sort(),
    });
  if (permissions.length > 0) {
    const via = [
      ...(secrets.size > 0 ? [`secretsmanager.${p('AwsRegion')}.amazonaws.com`] : []),
      ...(parameters.size > 0 ? [`ssm.${p('AwsRegion')}.amazonaws.com`] : []),
    ];
    permissions.push({
      sid: 'DecryptJobSecrets',
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': via } },
    });
  }
  return permissions;
}
