/**
 * The task queue the fan-out fills and the workers drain, with its dead-letter queue: a task
 * that fails three deliveries is parked for a person (`eventlake dlq`) instead of retried forever.
 */
import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export const MAX_RECEIVE_COUNT = 3;

/** AWS's advice for an SQS event source: at least six times the function's timeout. */
export const VISIBILITY_PER_TIMEOUT = 6;

export interface TaskQueuesProps {
  readonly workerTimeout: Duration;
}

export class TaskQueues extends Construct {
  readonly tasks: Queue;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: TaskQueuesProps) {
    super(scope, id);
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.tasks = new Queue(this, 'Tasks', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.workerTimeout.toSeconds() * VISIBILITY_PER_TIMEOUT),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
  }
}
