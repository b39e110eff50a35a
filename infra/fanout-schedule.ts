/**
 * The hourly fan-out: EventBridge Scheduler calls the worker ten minutes past each hour (UTC),
 * once late files of the hour just closed have had time to land, with the payload the handler
 * reads as "fan out the hour before the scheduled time".
 */
import { Aws, Duration, TimeZone, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { ContextAttribute, Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { wildcardResourceFinding } from './wildcard-finding.js';

/**
 * `previous` counted from the time the schedule was *meant* to run (the scheduler fills
 * `<aws.scheduler.scheduled-time>` in on every attempt with the same value), not from the time an
 * attempt or retry arrives: a retry at 11:05 of the 10:10 invocation still fans out 09:00–10:00.
 */
export const FANOUT_PAYLOAD = { eventlake: 'fanout', hour: 'previous', scheduledTime: ContextAttribute.scheduledTime } as const;

export interface FanoutScheduleProps {
  readonly worker: IFunction;
  /** Where an invocation the scheduler could not deliver lands. */
  readonly deadLetters: IQueue;
}

export class FanoutSchedule extends Construct {
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: FanoutScheduleProps) {
    super(scope, id);
    // The scheduler's own role, here rather than the one the target would make at the stack's
    // top, so its one acknowledged finding sits beside the code that causes it.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
    });
    this.schedule = new Schedule(this, 'Hourly', {
      description: 'eventlake: fan out the hour just closed',
      schedule: ScheduleExpression.cron({ minute: '10', timeZone: TimeZone.ETC_UTC }),
      target: new LambdaInvoke(props.worker, {
        input: ScheduleTargetInput.fromObject(FANOUT_PAYLOAD),
        retryAttempts: 3,
        // A fan-out later than an hour would overlap the next one; the next hour's run catches up.
        maxEventAge: Duration.hours(1),
        deadLetterQueue: props.deadLetters,
        role,
      }),
    });
    Validations.of(role).acknowledge({
      id: wildcardResourceFinding(props.worker, ':*'),
      reason: "The target's grantInvoke names the worker function and its versions and aliases (<arn>:*); the schedule invokes that one function only",
    });
  }
}
