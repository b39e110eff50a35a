/**
 * Public list prices the cloud-cost bench prices an hour at: AWS us-east-1, on-demand, as written
 * down on 2026-12-06 (check them at aws.amazon.com/s3/pricing, /sqs/pricing, /lambda/pricing
 * before quoting a figure). Free tiers are left out: they do not scale with the hours.
 */
export const PRICES_READ_ON = '2026-12-06';

export const PRICES = {
  /** S3 Standard: PUT, COPY, POST, LIST (and each multipart step), per request. */
  s3PutListPerRequest: 0.005 / 1000,
  /** S3 Standard: GET, HEAD and all other requests, per request. DELETE is free. */
  s3GetPerRequest: 0.0004 / 1000,
  /** SQS standard queue, per request (a batch of up to 10 messages of ≤ 64 KiB is one request). */
  sqsPerRequest: 0.4 / 1_000_000,
  /** Lambda, per invocation. */
  lambdaPerInvocation: 0.2 / 1_000_000,
  /** Lambda on x86_64, per GB-second of configured memory × billed duration. */
  lambdaPerGbSecond: 0.0000166667,
} as const;

export const HOURS_PER_MONTH = 730;

/** What one hour asks of AWS, whichever design made it. */
export interface HourUsage {
  /** S3 requests by kind: put, multipart, copy-free PUT tier, list; get and head; delete. */
  readonly s3: Readonly<Record<S3Kind, number>>;
  readonly sqsMessages: number;
  readonly sqsRequests: number;
  readonly invocations: number;
  readonly gbSeconds: number;
}

export const S3_KINDS = ['PUT', 'MULTIPART', 'LIST', 'GET', 'HEAD', 'DELETE', 'OTHER'] as const;
export type S3Kind = (typeof S3_KINDS)[number];

/** The PUT/LIST tier: PUT (copies are PUTs), every multipart step, LIST. */
const PUT_TIER: ReadonlySet<S3Kind> = new Set(['PUT', 'MULTIPART', 'LIST']);

export interface HourCost {
  readonly s3: number;
  readonly sqs: number;
  readonly lambdaRequests: number;
  readonly lambdaCompute: number;
  readonly perHour: number;
  readonly perMonth: number;
}

export function costOf(usage: HourUsage): HourCost {
  let s3 = 0;
  for (const kind of S3_KINDS) {
    if (kind === 'DELETE') continue;
    s3 += usage.s3[kind] * (PUT_TIER.has(kind) ? PRICES.s3PutListPerRequest : PRICES.s3GetPerRequest);
  }
  const sqs = usage.sqsRequests * PRICES.sqsPerRequest;
  const lambdaRequests = usage.invocations * PRICES.lambdaPerInvocation;
  const lambdaCompute = usage.gbSeconds * PRICES.lambdaPerGbSecond;
  const perHour = s3 + sqs + lambdaRequests + lambdaCompute;
  return { s3, sqs, lambdaRequests, lambdaCompute, perHour, perMonth: perHour * HOURS_PER_MONTH };
}
