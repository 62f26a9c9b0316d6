import { Aws, Fn, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  type ISecurityGroup,
  type IVpc,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { Cluster, ContainerInsights } from 'aws-cdk-lib/aws-ecs';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import type { ExistingVpc } from './config.js';
import { vpcRef } from './interop.js';

export interface ComputeProps {
  /** Run tasks here; a new VPC (private subnets behind one NAT gateway) when absent. */
  readonly vpc?: ExistingVpc;
  readonly assignPublicIp: 'ENABLED' | 'DISABLED';
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** `awslogs-stream-prefix` of job containers, the same for synth-time and run-time task definitions. */
export const JOB_LOG_STREAM_PREFIX = 'waterflow';

/** `arn:<partition>:<service>:<region>:<account>:`, the start of this stack's ARNs of a service. */
export function arnPrefix(service: string): string {
  return `arn:${Aws.PARTITION}:${service}:${Aws.REGION}:${Aws.ACCOUNT_ID}:`;
}

/**
 * Where job containers run: the VPC, their security group, the ECS cluster (Fargate and
 * Fargate Spot), their log group, and the platform's roles for workflows submitted at run time.
 */
export class Compute extends Construct {
  readonly vpc: IVpc;
  readonly subnetIds: ReadonlyArray<string>;
  readonly securityGroups: ReadonlyArray<ISecurityGroup>;
  readonly assignPublicIp: 'ENABLED' | 'DISABLED';
  readonly cluster: Cluster;
  /** Every job container logs here (awslogs), one stream per task. */
  readonly jobLogs: LogGroup;
  /** EventBridge Scheduler assumes it to invoke the submit handler for scheduled runs. */
  readonly schedulerRole: Role;
  /** The schedule group of workflow schedules (`<workflow>.<n>`). */
  readonly scheduleGroup: CfnScheduleGroup;
  readonly scheduleGroupName: string;

  constructor(scope: Construct, id: string, props: ComputeProps) {
    super(scope, id);
    this.assignPublicIp = props.assignPublicIp;
    if (props.vpc === undefined) {
      const flowLogs = new LogGroup(this, 'FlowLogs', {
        retention: props.logRetention,
        removalPolicy: props.removalPolicy,
      });
      const vpc = new Vpc(this, 'Vpc', {
        maxAzs: 2,
        natGateways: 1,
        subnetConfiguration: [
          { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
          { name: 'jobs', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        ],
        flowLogs: {
          rejected: {
            destination: FlowLogDestination.toCloudWatchLogs(flowLogs),
            trafficType: FlowLogTrafficType.REJECT,
          },
        },
      });
      const group = new SecurityGroup(this, 'Jobs', {
        vpc: vpcRef(vpc),
        description:
          'Waterflow job tasks: no inbound traffic, any outbound (images, S3, calls the jobs make)',
        allowAllOutbound: true,
      });
      this.vpc = vpcRef(vpc);
      this.subnetIds = vpc.selectSubnets({ subnetType: SubnetType.PRIVATE_WITH_EGRESS }).subnetIds;
      this.securityGroups = [group];
    } else {
      const given = props.vpc;
      // No lookup: the zones only pair with the subnets; ECS and the tasks read the subnet ids.
      const zones =
        given.availabilityZones.length > 0
          ? [...given.availabilityZones]
          : given.subnetIds.map((_, i) => Fn.select(i, Fn.getAzs()));
      this.vpc = Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: given.vpcId,
        availabilityZones: zones,
        privateSubnetIds: [...given.subnetIds],
      });
      this.subnetIds = [...given.subnetIds];
      this.securityGroups = given.securityGroupIds.map((sg, i) =>
        SecurityGroup.fromSecurityGroupId(this, `Jobs${i}`, sg, { mutable: false }),
      );
    }

    this.cluster = new Cluster(this, 'Cluster', {
      vpc: this.vpc,
      enableFargateCapacityProviders: true,
      containerInsightsV2: ContainerInsights.ENABLED,
    });
    // Jobs run on Fargate unless a run asks for Spot through a capacity provider strategy.
    this.cluster.addDefaultCapacityProviderStrategy([{ capacityProvider: 'FARGATE', weight: 1, base: 0 }]);

    this.jobLogs = new LogGroup(this, 'JobLogs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    this.schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description:
        'EventBridge Scheduler invokes the Waterflow submit handler for scheduled runs with this role',
    });
    this.scheduleGroup = new CfnScheduleGroup(this, 'Schedules', {
      name: `${Stack.of(this).stackName}-schedules`,
    });
    this.scheduleGroupName = this.scheduleGroup.ref;
  }

  /** The ARN pattern of this cluster's tasks. */
  get taskArnPattern(): string {
    return `${arnPrefix('ecs')}task/${this.cluster.clusterName}/*`;
  }
}
