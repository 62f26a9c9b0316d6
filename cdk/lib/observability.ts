import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Subscription, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Api } from './api.js';
import type { HandlerName } from './handlers.js';

export interface ObservabilityProps {
  readonly key: IKey;
  readonly functions: Readonly<Record<HandlerName, IFunction>>;
  /** Dead-letter queues whose depth must stay at 0, by the name alarms and widgets use. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  readonly api: Api;
  /** Addresses subscribed to the alarm topic. */
  readonly alarmEmails: ReadonlyArray<string>;
}

const FIVE_MINUTES = Duration.minutes(5);

/** A Metrics Insights query over every state machine of the account and region. */
function statesQuery(metric: string, label: string): MathExpression {
  return new MathExpression({
    expression: `SELECT SUM(${metric}) FROM SCHEMA("AWS/States", StateMachineArn)`,
    usingMetrics: {},
    label,
    period: FIVE_MINUTES,
  });
}

/** Alarms on dead letters, failed runs and handler errors, and the Waterflow dashboard. */
export class Observability extends Construct {
  readonly alarmTopic: Topic;
  readonly alarms: ReadonlyArray<Alarm>;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.alarmTopic = new Topic(this, 'Alarms', {
      displayName: 'Waterflow alarms',
      masterKey: props.key,
      enforceSSL: true,
    });
    // CloudWatch publishes to the encrypted topic itself, so the key must let it.
    props.key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey');
    props.alarmEmails.forEach((email, i) => {
      new Subscription(this, `AlarmEmail${i}`, {
        topic: this.alarmTopic,
        protocol: SubscriptionProtocol.EMAIL,
        endpoint: email,
      });
    });
    const action = new SnsAction(this.alarmTopic);
    const alarms: Alarm[] = [];
    const alarm = (alarmId: string, metric: IMetric, description: string): void => {
      const created = new Alarm(this, alarmId, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(action);
      alarms.push(created);
    };

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      alarm(
        `${name}Depth`,
        queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        `${name}: messages the platform could not process; inspect them, fix the cause, then redrive`,
      );
    }
    const failed = new MathExpression({
      expression: 'failed + timedOut',
      usingMetrics: {
        failed: statesQuery('ExecutionsFailed', 'failed'),
        timedOut: statesQuery('ExecutionsTimedOut', 'timed out'),
      },
      label: 'failed runs',
      period: FIVE_MINUTES,
    });
    alarm(
      'FailedRuns',
      statesQuery('ExecutionsFailed', 'failed runs'),
      'A run failed (Step Functions ExecutionsFailed, every state machine of the region); `waterflow runs` shows which',
    );
    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(
        `${name}Errors`,
        fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
        `The ${name} handler failed; its log group has the error`,
      );
    }
    this.alarms = alarms;

    const functions = Object.entries(props.functions);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new TextWidget({
            markdown: '# Waterflow\nRuns, handlers, dead letters and the API of this stack.',
            width: 24,
            height: 2,
          }),
        ],
        [
          new GraphWidget({
            title: 'Runs',
            left: [
              statesQuery('ExecutionsStarted', 'started'),
              statesQuery('ExecutionsSucceeded', 'succeeded'),
              failed,
              statesQuery('ExecutionsAborted', 'cancelled'),
            ],
            width: 12,
          }),
          new SingleValueWidget({
            title: 'Dead letters',
            metrics: Object.values(props.deadLetterQueues).map((q) =>
              q.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum' }),
            ),
            width: 12,
          }),
        ],
        [
          new GraphWidget({
            title: 'Handler errors',
            left: functions.map(([name, fn]) => fn.metricErrors({ label: name, statistic: 'Sum' })),
            width: 8,
          }),
          new GraphWidget({
            title: 'Handler invocations',
            left: functions.map(([name, fn]) => fn.metricInvocations({ label: name, statistic: 'Sum' })),
            width: 8,
          }),
          new GraphWidget({
            title: 'Handler duration (p99)',
            left: functions.map(([name, fn]) => fn.metricDuration({ label: name, statistic: 'p99' })),
            width: 8,
          }),
        ],
        [
          new GraphWidget({
            title: 'API',
            left: [
              props.api.restApi.metricCount({ statistic: 'Sum' }),
              props.api.restApi.metricClientError({ statistic: 'Sum' }),
              props.api.restApi.metricServerError({ statistic: 'Sum' }),
            ],
            right: [props.api.restApi.metricLatency({ statistic: 'p99' })],
            width: 24,
          }),
        ],
      ],
    });
  }
}
