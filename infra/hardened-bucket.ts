/**
 * A bucket as every eventlake bucket must be: private, encrypted, reachable over TLS only, and
 * cleaning up after the pipeline (quarantined lines kept for a while, staging debris removed).
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export interface HardenedBucketProps {
  /** Days a quarantined line is kept under `_quarantine/` before S3 expires it. */
  readonly quarantineDays: number;
  /** Days staged task outputs live under `_staging/`: a finished hour no longer needs them. */
  readonly stagingDays: number;
}

export function hardenedBucket(scope: Construct, id: string, props: HardenedBucketProps): Bucket {
  return new Bucket(scope, id, {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    // The lake is the product: deleting the stack must never delete it.
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [
      { id: 'expire-quarantine', prefix: '_quarantine/', expiration: Duration.days(props.quarantineDays) },
      {
        id: 'expire-staging',
        prefix: '_staging/',
        expiration: Duration.days(props.stagingDays),
        // A worker killed mid-upload leaves parts that are billed but never listed.
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ],
  });
}
