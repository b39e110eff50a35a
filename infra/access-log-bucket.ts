/**
 * Where S3 writes the server access logs of the source and lake buckets: who read or wrote which
 * object, when, from where. A bucket of its own, so the lake's listings and lifecycle never meet
 * log objects and the logs outlive a mistake made in the lake.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export interface AccessLogBucketProps {
  /** Days an access-log object is kept (365). */
  readonly days: number;
}

export function accessLogBucket(scope: Construct, id: string, props: AccessLogBucketProps): Bucket {
  const bucket = new Bucket(scope, id, {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    // S3 delivers server access logs only to a bucket encrypted with SSE-S3 (not SSE-KMS).
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    // With ACLs off, S3 grants the log delivery service through the bucket policy CDK writes.
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(props.days) }],
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: 'This is the access-log bucket: logging its own deliveries into itself would log every delivery again without end, and another bucket for them would need one in turn',
  });
  return bucket;
}
