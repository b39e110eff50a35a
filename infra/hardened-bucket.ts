/**
 * A bucket as every eventlake bucket must be: private, encrypted, reachable over TLS only, and
 * cleaning up after the pipeline (quarantined lines kept for a while, staging debris removed),
 * its reads and writes logged to the access-log bucket.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type IBucket, type LifecycleRule } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export interface HardenedBucketProps {
  /** Days a quarantined line is kept under `_quarantine/` before S3 expires it. */
  readonly quarantineDays: number;
  /** Days staged task outputs live under `_staging/`: a finished hour no longer needs them. */
  readonly stagingDays: number;
  /** Where S3 writes this bucket's server access logs, under `prefix`. */
  readonly accessLogs: { readonly bucket: IBucket; readonly prefix: string };
  /**
   * Keep every object's earlier versions for this many days (unversioned when absent): a bad
   * publish or a deletion can be undone for that long, and the versions then expire so the
   * bucket does not grow without end. Staging debris keeps its old versions one day only.
   */
  readonly noncurrentDays?: number;
}

export function hardenedBucket(scope: Construct, id: string, props: HardenedBucketProps): Bucket {
  const versioned = props.noncurrentDays !== undefined;
  const lifecycleRules: LifecycleRule[] = [
    { id: 'expire-quarantine', prefix: '_quarantine/', expiration: Duration.days(props.quarantineDays) },
    {
      id: 'expire-staging',
      prefix: '_staging/',
      expiration: Duration.days(props.stagingDays),
      // A worker killed mid-upload leaves parts that are billed but never listed.
      abortIncompleteMultipartUploadAfter: Duration.days(1),
      // Every staged file is deleted once its hour is published: its old version is no backup.
      ...(versioned ? { noncurrentVersionExpiration: Duration.days(1) } : {}),
    },
  ];
  if (versioned) {
    lifecycleRules.push({
      id: 'expire-noncurrent-versions',
      noncurrentVersionExpiration: Duration.days(props.noncurrentDays),
      // A delete marker left with no versions behind it is removed too.
      expiredObjectDeleteMarker: true,
    });
  }
  return new Bucket(scope, id, {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned,
    serverAccessLogsBucket: props.accessLogs.bucket,
    serverAccessLogsPrefix: props.accessLogs.prefix,
    // The lake is the product: deleting the stack must never delete it.
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules,
  });
}
