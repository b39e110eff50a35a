/**
 * The worker: one Lambda function, built from the container image in `lambda-image/`, that
 * processes tasks from the queue and, when the schedule calls it, fans out the hour just closed.
 * Its role is written out permission by permission (no managed policy: AWS's basic execution
 * policy grants logs on every resource).
 */
import { Duration, Size, Validations } from 'aws-cdk-lib';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, DockerImageCode, DockerImageFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LAMBDA_IMAGE_DIR } from './repo-root.js';
import { wildcardResourceFinding } from './wildcard-finding.js';

/** Only these enter the image's build context, so `cdk.out` holds no node_modules or sources. */
export const IMAGE_ASSET_EXCLUDE = ['*', '!Dockerfile', '!package.json', '!package-lock.json', '!build', '!build/**'];

export interface WorkerFunctionProps {
  readonly source: IBucket;
  readonly lake: IBucket;
  readonly tasks: IQueue;
  /** Where a fan-out the schedule started lands when it fails after Lambda's own retries. */
  readonly fanoutDeadLetters: IQueue;
  readonly snowflakeSecret: ISecret;
  readonly timeout: Duration;
  readonly memoryMb: number;
  /** The most workers running at once: the S3 and Snowflake load this stack may cause. */
  readonly concurrency: number;
  readonly batchSize: number;
  readonly format: 'parquet' | 'avro';
  /** How the source bucket holds an hour (`flat` or `nested`): the fan-out lists that hour's prefix only. */
  readonly sourceLayout: string;
}

export class WorkerFunction extends Construct {
  readonly function: DockerImageFunction;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: WorkerFunctionProps) {
    super(scope, id);
    if (!Number.isInteger(props.concurrency) || props.concurrency < 3) throw new Error(`the worker concurrency must be at least 3 (one for the fan-out, two for the queue), not ${props.concurrency}`);
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    logGroup.grantWrite(this.role);

    this.function = new DockerImageFunction(this, 'Function', {
      description: 'eventlake worker: processes one task per message; fans out an hour when the schedule calls',
      code: DockerImageCode.fromImageAsset(LAMBDA_IMAGE_DIR, { exclude: IMAGE_ASSET_EXCLUDE, platform: Platform.LINUX_AMD64 }),
      architecture: Architecture.X86_64,
      timeout: props.timeout,
      memorySize: props.memoryMb,
      // Part files are written to /tmp before upload; 512 MB (the default) is tight for a large task.
      ephemeralStorageSize: Size.gibibytes(2),
      reservedConcurrentExecutions: props.concurrency,
      role: this.role,
      logGroup,
      environment: {
        EVENTLAKE_SOURCE_PATH: `s3://${props.source.bucketName}/`,
        EVENTLAKE_LAKE_PATH: `s3://${props.lake.bucketName}/`,
        EVENTLAKE_QUEUE_URL: props.tasks.queueUrl,
        EVENTLAKE_SOURCE_LAYOUT: props.sourceLayout,
        EVENTLAKE_LAKE_FORMAT: props.format,
        SNOWFLAKE_SECRET_ID: props.snowflakeSecret.secretArn,
        POWERTOOLS_SERVICE_NAME: 'eventlake',
      },
    });

    this.grantStorage(props.source, props.lake);
    // The fan-out sends the hour's tasks; the event source (below) grants what consuming needs.
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.tasks.queueArn] }));
    props.snowflakeSecret.grantRead(this.role);

    this.function.addEventSource(
      new SqsEventSource(props.tasks, {
        batchSize: props.batchSize,
        reportBatchItemFailures: true,
        // Below the reserved concurrency: a poller throttled by the function would hand messages
        // back unprocessed, and each hand-back counts toward the dead-letter queue's limit.
        maxConcurrency: props.concurrency - 1,
      }),
    );
    // The schedule invokes asynchronously: a fan-out that still fails after Lambda's retries is kept.
    this.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: new SqsDestination(props.fanoutDeadLetters),
    });
  }

  private grantStorage(source: IBucket, lake: IBucket): void {
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [source.bucketArn, lake.bucketArn] }));
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [source.arnForObjects('*')] }));
    // Copies, conditional writes and multipart uploads are all s3:PutObject; an interrupted
    // multipart upload is cleaned up with s3:AbortMultipartUpload.
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: [lake.arnForObjects('*')],
      }),
    );
    Validations.of(this.role).acknowledge({
      id: wildcardResourceFinding(source, '/*'),
      reason: 'The worker reads source objects only (no put or delete); their names are chosen by the producers, one per second, so no narrower pattern names them all',
    });
    Validations.of(this.role).acknowledge({
      id: wildcardResourceFinding(lake, '/*'),
      reason: 'The worker writes the whole lake layout: entity partitions, _staging/, _leases/, _runs/, _manifests/ and _quarantine/ (src/pipeline/lake-layout.ts), keys made per run and hour',
    });
  }
}
