/**
 * Everything eventlake runs on in AWS, one stack: source and lake buckets, the task queue, the
 * worker Lambda and its hourly fan-out, Snowflake's access, and the alarms.
 */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { FanoutSchedule } from './fanout-schedule.js';
import { hardenedBucket } from './hardened-bucket.js';
import { QueueAlarms } from './queue-alarms.js';
import { SnowflakeAccess } from './snowflake-access.js';
import { TaskQueues } from './task-queues.js';
import { WorkerFunction } from './worker-function.js';

export interface EventlakeStackProps extends StackProps {
  /** Days quarantined lines are kept (90). */
  readonly quarantineDays?: number;
  /** Days staged task outputs are kept (2). */
  readonly stagingDays?: number;
  /** The worker's timeout (10 minutes); the queue's visibility timeout follows it. */
  readonly workerTimeout?: Duration;
  /** The worker's memory in MB (3008): Lambda's CPU share grows with it. */
  readonly workerMemoryMb?: number;
  /** The worker's reserved concurrency (20). */
  readonly workerConcurrency?: number;
  /**
   * Messages per worker invocation (1): a task is already a batch the planner sized to minutes
   * of work, so one per invocation keeps a slow task from holding others back and a crash
   * re-delivers only its own task.
   */
  readonly taskBatchSize?: number;
  readonly lakeFormat?: 'parquet' | 'avro';
  /** Alarm when the task queue's oldest message is older than this (30 minutes). */
  readonly oldestTaskAlarmAge?: Duration;
}

export class EventlakeStack extends Stack {
  constructor(scope: Construct, id: string, props: EventlakeStackProps = {}) {
    super(scope, id, { description: 'eventlake: raw events in S3 to a partitioned lake, processed by Lambda, read by Snowflake', ...props });
    const lifecycle = { quarantineDays: props.quarantineDays ?? 90, stagingDays: props.stagingDays ?? 2 };
    const source = hardenedBucket(this, 'SourceBucket', lifecycle);
    const lake = hardenedBucket(this, 'LakeBucket', lifecycle);
    const workerTimeout = props.workerTimeout ?? Duration.minutes(10);

    const queues = new TaskQueues(this, 'TaskQueues', { workerTimeout });
    const fanoutDeadLetters = new Queue(this, 'FanoutDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const snowflake = new SnowflakeAccess(this, 'Snowflake', { lake });
    const worker = new WorkerFunction(this, 'Worker', {
      source,
      lake,
      tasks: queues.tasks,
      fanoutDeadLetters,
      snowflakeSecret: snowflake.secret,
      timeout: workerTimeout,
      memoryMb: props.workerMemoryMb ?? 3008,
      concurrency: props.workerConcurrency ?? 20,
      batchSize: props.taskBatchSize ?? 1,
      format: props.lakeFormat ?? 'parquet',
    });
    new FanoutSchedule(this, 'Fanout', { worker: worker.function, deadLetters: fanoutDeadLetters });
    new QueueAlarms(this, 'Alarms', {
      tasks: queues.tasks,
      deadLetters: queues.deadLetters,
      fanoutDeadLetters,
      oldestTaskAge: props.oldestTaskAlarmAge ?? Duration.minutes(30),
    });

    new CfnOutput(this, 'SourceBucketName', { value: source.bucketName, description: 'Where raw event files go' });
    new CfnOutput(this, 'LakeBucketName', { value: lake.bucketName, description: 'The lake (STORAGE_ALLOWED_LOCATIONS: s3://<this>/)' });
    new CfnOutput(this, 'TaskQueueUrl', { value: queues.tasks.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: queues.deadLetters.queueUrl });
    new CfnOutput(this, 'WorkerFunctionName', { value: worker.function.functionName });
    new CfnOutput(this, 'SnowflakeRoleArn', { value: snowflake.role.roleArn, description: 'STORAGE_AWS_ROLE_ARN of the storage integration' });
    new CfnOutput(this, 'SnowflakeSecretArn', { value: snowflake.secret.secretArn, description: 'SNOWFLAKE_SECRET_ID: fill in its fields' });
  }
}
