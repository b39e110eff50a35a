/**
 * The one S3 client of the process. Credentials are never passed in: the SDK's default provider
 * chain finds them (environment, shared profile, SSO, container or instance role), so they
 * never travel through arguments, configuration files of ours or logs.
 */
import { S3Client } from '@aws-sdk/client-s3';

/** Where requests go, as the environment says: what the client is built from. */
export interface S3ClientSettings {
  readonly region: string;
  /** An S3-compatible server (MinIO, s3rver, LocalStack) instead of AWS; undefined for AWS. */
  readonly endpoint: string | undefined;
}

// The SDK's standard retry strategy (exponential backoff with jitter, retry quota): a throttled
// or dropped request is tried 3 times in all before its error reaches the caller.
const MAX_ATTEMPTS = 3;

export function s3ClientSettings(env: NodeJS.ProcessEnv = process.env): S3ClientSettings {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  // SDK 3.1164 already honours these two variables by itself (@smithy/core's
  // getEndpointUrlConfig); they are read here too because an override also changes how the
  // client must talk (path-style addressing, checksums), which the SDK does not infer.
  const ignored = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true';
  const endpoint = ignored ? undefined : env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  return { region, endpoint };
}

/** The host requests go to, for messages: never carries credentials. */
export function s3EndpointHost(settings: S3ClientSettings = s3ClientSettings()): string {
  if (!settings.endpoint) return `s3.${settings.region}.amazonaws.com`;
  try {
    return new URL(settings.endpoint).host;
  } catch {
    return settings.endpoint;
  }
}

/**
 * The S3 server as a name for folders kept on this machine per lake: `aws` in any region (bucket
 * names are global there, so a region changed between two runs is the same lake), or a custom
 * endpoint's host (two S3-compatible servers may each have a bucket of the same name).
 */
export function s3ServerKey(settings: S3ClientSettings = s3ClientSettings()): string {
  return settings.endpoint === undefined ? 'aws' : s3EndpointHost(settings);
}

let client: S3Client | undefined;

export function s3Client(): S3Client {
  client ??= createClient(s3ClientSettings());
  return client;
}

/** Forgets the client so the next call reads the environment again (tests change it). */
export function resetS3Client(): void {
  client?.destroy();
  client = undefined;
}

function createClient({ region, endpoint }: S3ClientSettings): S3Client {
  return new S3Client({
    region,
    maxAttempts: MAX_ATTEMPTS,
    retryMode: 'standard',
    // A bucket in another region answers 301 with its region; follow it instead of failing.
    followRegionRedirects: true,
    ...(endpoint && {
      endpoint,
      // Local S3 servers have no wildcard DNS for bucket.host: put the bucket in the path.
      forcePathStyle: true,
      // The SDK's default (WHEN_SUPPORTED) sends a streamed body as aws-chunked with a CRC32
      // trailer. s3rver (and other S3 look-alikes) do not decode that: measured on s3rver 3.7.1,
      // a streamed PutObject stored the chunk framing and the trailer as the object's bytes,
      // and one without a length failed on the x-amz-decoded-content-length header. Buffers
      // (a checksum header) were fine, so write() (lib-storage's Upload buffers every part) is
      // not affected, but a streamed PutObject by any other user of this client is. WHEN_REQUIRED sends plain bodies, checksummed only
      // where S3 demands it (none of the calls used here); responses are then not checked
      // against checksums the server does not send anyway. AWS itself keeps the defaults.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
  });
}
