/**
 * Alarms a person must hear about, sent to one SNS topic: a task gave up (dead letters), a
 * fan-out failed, a run is left queued (its oldest task keeps ageing), or the worker fails or is
 * throttled.
 *
 * "A run left queued" is watched through SQS's own ApproximateAgeOfOldestMessage on the task
 * queue rather than a metric the fan-out or the close would publish: a run stays queued exactly
 * while one of its task messages is undeleted, and such a message is either on the task queue
 * (its age grows past the threshold) or dead-lettered (the dead-letter alarm). SQS publishes the
 * metric every minute whether or not any function runs, so a worker that never starts, or a
 * close that keeps failing, still raises it; a metric the code published would fall silent then.
 */
import { CfnCondition, CfnParameter, Duration, Fn } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { CfnSubscription, Topic } from 'aws-cdk-lib/aws-sns';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface QueueAlarmsProps {
  readonly tasks: IQueue;
  readonly deadLetters: IQueue;
  readonly fanoutDeadLetters: IQueue;
  /** The queue's oldest task older than this means a run is left queued: workers stuck, failing or too few. */
  readonly oldestTaskAge: Duration;
  /** The worker function: its errors (a fan-out or a whole batch that threw) and throttles. */
  readonly worker: IFunction;
}

export class QueueAlarms extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: QueueAlarmsProps) {
    super(scope, id);
    // No SSE on the topic: CloudWatch cannot publish to one encrypted with the AWS-managed key,
    // and an alarm's text holds no data.
    this.topic = new Topic(this, 'Topic', { displayName: 'eventlake alarms', enforceSSL: true });
    const email = new CfnParameter(scope, 'AlarmEmail', { type: 'String', default: '', description: 'An address that receives the alarms (empty: none; subscribe later)' });
    const hasEmail = new CfnCondition(scope, 'HasAlarmEmail', { expression: Fn.conditionNot(Fn.conditionEquals(email.valueAsString, '')) });
    const subscription = new CfnSubscription(this, 'Email', { protocol: 'email', endpoint: email.valueAsString, topicArn: this.topic.topicArn });
    subscription.cfnOptions.condition = hasEmail;

    const action = new SnsAction(this.topic);
    const deadLetter = (name: string, queue: IQueue, what: string): void => {
      new Alarm(this, name, {
        alarmDescription: `eventlake: ${what}`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(action);
    };
    deadLetter('DeadLetters', props.deadLetters, 'a task failed every delivery and waits in the dead-letter queue');
    deadLetter('FanoutDeadLetters', props.fanoutDeadLetters, 'an hourly fan-out failed and waits in the fan-out dead-letter queue');
    new Alarm(this, 'OldestTask', {
      alarmDescription: `eventlake: a run is left queued: the task queue's oldest task is older than ${props.oldestTaskAge.toMinutes()} minutes`,
      metric: props.tasks.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: props.oldestTaskAge.toSeconds(),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(action);
    // Sums over 5 minutes: one failed invocation is worth a look. Item failures a batch reports
    // (a task that threw) are not Errors; they reach the dead-letter alarm after their retries.
    new Alarm(this, 'WorkerErrors', {
      alarmDescription: 'eventlake: the worker function failed an invocation (a fan-out, or a batch it could not report on)',
      metric: props.worker.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(action);
    // The event source stays one below the reserved concurrency, so any throttle means a fan-out
    // found no slot or the concurrency was changed by hand.
    new Alarm(this, 'WorkerThrottles', {
      alarmDescription: 'eventlake: the worker function was throttled (reserved concurrency exhausted)',
      metric: props.worker.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(action);
  }
}
