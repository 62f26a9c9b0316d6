import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** An existing VPC, named by ids only: `cdk synth` makes no lookup and needs no credentials. */
export interface ExistingVpc {
  readonly vpcId: string;
  readonly subnetIds: ReadonlyArray<string>;
  readonly securityGroupIds: ReadonlyArray<string>;
  /** Availability zones of `subnetIds`, in the same order; only needed by constructs that ask. */
  readonly availabilityZones: ReadonlyArray<string>;
}

/** The stack's configuration, read from CDK context (`cdk.json` or `-c key=value`). */
export interface WaterflowConfig {
  /** @default 'Waterflow' */
  readonly stackName: string;
  /** A VPC to run job tasks in; a new VPC when absent. */
  readonly vpc?: ExistingVpc;
  /** `ENABLED` for tasks in public subnets (no NAT). @default 'DISABLED' */
  readonly assignPublicIp: 'ENABLED' | 'DISABLED';
  /** Addresses subscribed (by email) to the approval topic. @default [] */
  readonly approvalEmails: ReadonlyArray<string>;
  /** Addresses subscribed (by email) to the alarm topic. @default [] */
  readonly alarmEmails: ReadonlyArray<string>;
  /** Days every log group keeps its events. @default 30 */
  readonly logRetention: RetentionDays;
  /** What `cdk destroy` does to data (tables, buckets, keys, logs). @default RemovalPolicy.RETAIN */
  readonly removalPolicy: RemovalPolicy;
  /** Folder of workflows compiled at synth time into state machines; none when absent. */
  readonly workflowsDir?: string;
  /** Image of the init and uploader containers. @default the compiler's DEFAULT_SIDECAR_IMAGE */
  readonly sidecarImage?: string;
  /** Days before noncurrent definition versions and run artifacts expire. @default 90 */
  readonly artifactsExpirationDays: number;
}

/** A context value that cannot be used, with the key it came from. */
export class ConfigError extends Error {
  readonly code = 'WF9301';

  constructor(key: string, problem: string) {
    super(`context "${key}": ${problem}`);
    this.name = 'Waterflow.ConfigError';
  }
}

/** Reads a context value; the CDK passes `-c` values as strings, `cdk.json` ones as JSON. */
export type ContextReader = (key: string) => unknown;

const RETENTIONS = new Set<number>(
  Object.values(RetentionDays).filter((v): v is number => typeof v === 'number'),
);

const REMOVAL: Readonly<Record<string, RemovalPolicy>> = {
  retain: RemovalPolicy.RETAIN,
  destroy: RemovalPolicy.DESTROY,
  snapshot: RemovalPolicy.SNAPSHOT,
};

/** A list from a JSON array, or from a comma-separated string (as `-c key=a,b` passes it). */
function list(key: string, value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') {
    const text = value.trim();
    if (text.startsWith('[')) return list(key, JSON.parse(text) as unknown);
    return text
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  throw new ConfigError(
    key,
    `expected a list of strings or a comma-separated string, found ${JSON.stringify(value)}`,
  );
}

function addresses(key: string, value: unknown): string[] {
  const emails = list(key, value);
  for (const email of emails) {
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new ConfigError(key, `"${email}" is not an email address`);
  }
  return emails;
}

function text(key: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw new ConfigError(key, `expected a string, found ${JSON.stringify(value)}`);
  return value;
}

function wholeNumber(key: string, value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) {
    throw new ConfigError(key, `expected a positive whole number, found ${JSON.stringify(value)}`);
  }
  return n;
}

function existingVpc(read: ContextReader): ExistingVpc | undefined {
  const vpcId = text('vpcId', read('vpcId'));
  const subnetIds = list('subnetIds', read('subnetIds'));
  const securityGroupIds = list('securityGroupIds', read('securityGroupIds'));
  const availabilityZones = list('availabilityZones', read('availabilityZones'));
  if (vpcId === undefined) {
    if (subnetIds.length > 0 || securityGroupIds.length > 0) {
      throw new ConfigError('vpcId', 'subnetIds and securityGroupIds name parts of a VPC: set vpcId too');
    }
    return undefined;
  }
  if (subnetIds.length === 0)
    throw new ConfigError('subnetIds', `the tasks need at least one subnet of ${vpcId}`);
  if (securityGroupIds.length === 0) {
    throw new ConfigError('securityGroupIds', `the tasks need at least one security group of ${vpcId}`);
  }
  if (availabilityZones.length > 0 && availabilityZones.length !== subnetIds.length) {
    throw new ConfigError('availabilityZones', 'give one zone per subnet, in the order of subnetIds');
  }
  return { vpcId, subnetIds, securityGroupIds, availabilityZones };
}

/** The configuration the context gives, defaults applied; throws `ConfigError` on a bad value. */
export function readConfig(read: ContextReader): WaterflowConfig {
  const retention = wholeNumber('logRetentionDays', read('logRetentionDays'), 30);
  if (!RETENTIONS.has(retention)) {
    throw new ConfigError(
      'logRetentionDays',
      `CloudWatch Logs has no retention of ${retention} days; use one of ${[...RETENTIONS].sort((a, b) => a - b).join(', ')}`,
    );
  }
  const removal = (text('removalPolicy', read('removalPolicy')) ?? 'retain').toLowerCase();
  const removalPolicy = REMOVAL[removal];
  if (removalPolicy === undefined) {
    throw new ConfigError('removalPolicy', `expected retain, destroy or snapshot, found "${removal}"`);
  }
  const assign = (text('assignPublicIp', read('assignPublicIp')) ?? 'DISABLED').toUpperCase();
  if (assign !== 'ENABLED' && assign !== 'DISABLED') {
    throw new ConfigError('assignPublicIp', `expected ENABLED or DISABLED, found "${assign}"`);
  }
  const emails = addresses('approvalEmails', read('approvalEmails'));
  const alarmEmails = addresses('alarmEmails', read('alarmEmails'));
  const vpc = existingVpc(read);
  const workflowsDir = text('workflowsDir', read('workflowsDir'));
  const sidecarImage = text('sidecarImage', read('sidecarImage'));
  return {
    stackName: text('stackName', read('stackName')) ?? 'Waterflow',
    ...(vpc === undefined ? {} : { vpc }),
    assignPublicIp: assign,
    approvalEmails: emails,
    alarmEmails,
    logRetention: retention as RetentionDays,
    removalPolicy,
    ...(workflowsDir === undefined ? {} : { workflowsDir }),
    ...(sidecarImage === undefined ? {} : { sidecarImage }),
    artifactsExpirationDays: wholeNumber('artifactsExpirationDays', read('artifactsExpirationDays'), 90),
  };
}
