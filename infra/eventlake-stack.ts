/**
 * Everything eventlake runs on in AWS, one stack: source and lake buckets, the task queue, the
 * worker Lambda and its hourly fan-out, Snowflake's access, and the alarms.
 */
import { CfnOutput, CfnParameter, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import type { Construct } from 'constructs';
import { defaultEntities } from '../src/events/entity-registry.js';
import { accessLogBucket } from './access-log-bucket.js';
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
  /** Days the lake keeps an object's replaced or deleted versions (30). */
  readonly lakeNoncurrentDays?: number;
  /** Days the buckets' server access logs are kept (365). */
  readonly accessLogDays?: number;
  /**
   * The default of the SourceLayout parameter (`flat`): how producers name the source objects, so
   * the fan-out lists only the hour's prefix. Never `any`: that lists the whole bucket every hour.
   */
  readonly sourceLayout?: DeployedSourceLayout;
}

/** The layouts an hour can be listed by prefix in (src/pipeline/source-object-name.ts). */
export const DEPLOYED_SOURCE_LAYOUTS = ['flat', 'nested'] as const;
export type DeployedSourceLayout = (typeof DEPLOYED_SOURCE_LAYOUTS)[number];

export class EventlakeStack extends Stack {
  constructor(scope: Construct, id: string, props: EventlakeStackProps = {}) {
    super(scope, id, { description: 'eventlake: raw events in S3 to a partitioned lake, processed by Lambda, read by Snowflake', ...props });
    // S3 delivers access logs under the log bucket's policy, not its ACL (ACLs are off on every bucket).
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const lifecycle = { quarantineDays: props.quarantineDays ?? 90, stagingDays: props.stagingDays ?? 2 };
    const accessLogs = accessLogBucket(this, 'AccessLogBucket', { days: props.accessLogDays ?? 365 });
    const source = hardenedBucket(this, 'SourceBucket', { ...lifecycle, accessLogs: { bucket: accessLogs, prefix: 'source/' } });
    const lake = hardenedBucket(this, 'LakeBucket', { ...lifecycle, accessLogs: { bucket: accessLogs, prefix: 'lake/' }, noncurrentDays: props.lakeNoncurrentDays ?? 30 });
    const sourceLayout = new CfnParameter(this, 'SourceLayout', {
      type: 'String',
      default: props.sourceLayout ?? 'flat',
      allowedValues: [...DEPLOYED_SOURCE_LAYOUTS],
      description: 'How the source objects are named: flat (YYYY-MM-DD-HH-M-S-events.json at the root) or nested (under YYYY/MM/DD/HH/); the hourly fan-out lists that hour\'s prefix only',
    });
    const workerTimeout = props.workerTimeout ?? Duration.minutes(10);

    const queues = new TaskQueues(this, 'TaskQueues', { workerTimeout });
    const fanoutDeadLetters = new Queue(this, 'FanoutDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(fanoutDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: "It is a dead-letter queue: the schedule target's and the worker's asynchronous on-failure destination, named in those (not in a queue's RedrivePolicy, which is all the rule looks at)",
    });
    const snowflake = new SnowflakeAccess(this, 'Snowflake', { lake, entities: defaultEntities.map((entity) => entity.name) });
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
      sourceLayout: sourceLayout.valueAsString,
    });
    new FanoutSchedule(this, 'Fanout', { worker: worker.function, deadLetters: fanoutDeadLetters });
    new QueueAlarms(this, 'Alarms', {
      tasks: queues.tasks,
      deadLetters: queues.deadLetters,
      fanoutDeadLetters,
      oldestTaskAge: props.oldestTaskAlarmAge ?? Duration.minutes(30),
      worker: worker.function,
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
