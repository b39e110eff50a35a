/**
 * Alarms a person must hear about, sent to one SNS topic: a task gave up (dead letters), a
 * fan-out failed, or the queue is not draining (its oldest task keeps ageing).
 */
import { CfnCondition, CfnParameter, Duration, Fn } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { CfnSubscription, Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface QueueAlarmsProps {
  readonly tasks: IQueue;
  readonly deadLetters: IQueue;
  readonly fanoutDeadLetters: IQueue;
  /** The queue's oldest task older than this means the workers are stuck or too few. */
  readonly oldestTaskAge: Duration;
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
      alarmDescription: `eventlake: the task queue's oldest task is older than ${props.oldestTaskAge.toMinutes()} minutes`,
      metric: props.tasks.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: props.oldestTaskAge.toSeconds(),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(action);
  }
}
