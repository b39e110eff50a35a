/**
 * What went wrong on S3, as one sentence for the person who has to fix it. Every operation of
 * the S3 adapters passes its errors through here. Sentences never carry credentials: they are
 * built from the error's code, and the few words S3 itself sends are scrubbed of any key.
 */
import { ObjectGoneError, StorageLocationError } from '../errors.js';
import { s3EndpointHost } from './s3-client.js';

/** What an operation was doing: the object (or prefix) and the IAM action it needs. */
export interface S3Target {
  readonly bucket: string;
  /** The full key in the bucket; a prefix, or '' for the whole bucket. */
  readonly key: string;
  /** The IAM action(s), named when access is denied, e.g. `s3:GetObject`. */
  readonly permission: string;
}

interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

// Node's socket errors and the SDK's own timeout: the request never got an answer.
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'TimeoutError']);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired', 'InvalidToken']);

/** S3's error code (`NoSuchKey`, `PreconditionFailed`…), or a socket error's code. */
export function s3ErrorCode(err: unknown): string | undefined {
  const shape = err as ErrorShape | undefined;
  if (typeof shape?.code === 'string') return shape.code;
  if (shape?.$metadata && typeof shape.name === 'string') return shape.name;
  return undefined;
}

export function s3HttpStatus(err: unknown): number | undefined {
  return (err as ErrorShape | undefined)?.$metadata?.httpStatusCode;
}

/** True when S3 answered with one of `codes`, or with one of `statuses`. */
export function isS3Answer(err: unknown, codes: readonly string[], statuses: readonly number[] = []): boolean {
  const code = s3ErrorCode(err);
  const status = s3HttpStatus(err);
  return (code !== undefined && codes.includes(code)) || (status !== undefined && statuses.includes(status));
}

/**
 * The sentence for an S3 failure, as a StorageLocationError. What is not an S3 or network
 * failure (a bug) comes back unchanged, so it keeps its stack.
 */
export function describeS3Error(err: unknown, target: S3Target): Error {
  const where = `s3://${target.bucket}/${target.key}`;
  const host = s3EndpointHost();
  const name = (err as ErrorShape | undefined)?.name;
  if (name === 'CredentialsProviderError') {
    const profile = process.env.AWS_PROFILE ? ` (profile ${process.env.AWS_PROFILE} has none)` : '';
    return new StorageLocationError(
      `no AWS credentials were found for ${where}${profile}; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE to a profile in ~/.aws/config, or run with an IAM role`,
    );
  }
  const code = s3ErrorCode(err);
  const status = s3HttpStatus(err);
  if (code === undefined) return err instanceof Error ? err : new Error(String(err));
  if (UNREACHABLE.has(code)) {
    return new StorageLocationError(`cannot reach S3 at ${host} (${code}) for ${where}; check the network, or AWS_ENDPOINT_URL if it is set`);
  }
  if (code === 'NoSuchBucket') return new StorageLocationError(`bucket ${target.bucket} does not exist at ${host}; check the bucket in ${where}`);
  if (code === 'NoSuchKey' || (code === 'NotFound' && status === 404)) return new ObjectGoneError(`${where} does not exist`);
  if (code === 'InvalidAccessKeyId') {
    return new StorageLocationError(`S3 at ${host} does not know the access key id in use for ${where}; check AWS_ACCESS_KEY_ID or the profile AWS_PROFILE names`);
  }
  if (code === 'SignatureDoesNotMatch') {
    return new StorageLocationError(`S3 at ${host} rejected the request signature for ${where}; check that AWS_SECRET_ACCESS_KEY belongs to the access key id in use`);
  }
  if (EXPIRED.has(code)) {
    return new StorageLocationError(`the AWS session credentials have expired (${where}); refresh them, e.g. with aws sso login or a new AWS_SESSION_TOKEN`);
  }
  if (code === 'AccessDenied' || code === 'AllAccessDisabled' || status === 403) {
    return new StorageLocationError(`access to ${where} was denied; the credentials in use need permission for ${target.permission}`);
  }
  const said = typeof (err as ErrorShape).message === 'string' ? scrub(String((err as ErrorShape).message)).replace(/[.\s]+$/, '') : '';
  const answer = status === undefined ? code : `${code} (HTTP ${status})`;
  return new StorageLocationError(`S3 at ${host} answered ${answer} for ${where}${said && said !== code ? `: ${said}` : ''}`);
}

/** Removes the credentials in the environment from text S3 sent (it may echo the key id). */
function scrub(text: string): string {
  let result = text;
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    const value = process.env[name];
    if (value && value.length >= 4) result = result.split(value).join('[redacted]');
  }
  return result;
}
