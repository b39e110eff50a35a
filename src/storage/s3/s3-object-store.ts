/** The object-store port on an S3 bucket, under a prefix (AWS SDK v3). */
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  paginateListObjectsV2,
  PutObjectCommand,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ListOptions, ObjectInfo, ObjectStore, ObjectVersion } from '../object-store.js';
import { s3Client } from './s3-client.js';
import { describeS3Error, isS3Answer } from './s3-errors.js';

// Above this a Buffer goes up in parts: one PutObject of a large body is one long request
// that a dropped connection restarts from zero; parts retry one by one.
const PART_SIZE = 8 * 1024 * 1024;
// Two parts in flight: 16 MiB of memory per upload, and most of the bandwidth of one stream.
const QUEUE_SIZE = 2;

export interface S3ObjectStoreOptions {
  /** Keys per ListObjectsV2 page (S3's maximum, 1000, by default); tests make it small. */
  readonly pageSize?: number;
}

/** No such key, as opposed to no such bucket (both are a 404). */
function isMissingKey(err: unknown): boolean {
  return isS3Answer(err, ['NoSuchKey'], [404]) && !isS3Answer(err, ['NoSuchBucket']);
}

/** S3 quotes ETags; the port's etags are the bare value. */
function bareEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}

export class S3ObjectStore implements ObjectStore {
  constructor(
    readonly bucket: string,
    /** '' or ending in '/', as parsed from `s3://bucket/prefix`. */
    readonly prefix: string,
    private readonly options: S3ObjectStoreOptions = {},
  ) {}

  get location(): string {
    return `s3://${this.bucket}/${this.prefix}`;
  }

  private fullKey(key: string): string {
    return `${this.prefix}${key}`;
  }

  private fail(err: unknown, key: string, permission: string): Error {
    return describeS3Error(err, { bucket: this.bucket, key: this.fullKey(key), permission });
  }

  async assertReadable(): Promise<void> {
    try {
      await s3Client().send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, MaxKeys: 1 }));
    } catch (err) {
      throw this.fail(err, '', 's3:ListBucket');
    }
  }

  async *list(prefix = '', options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    const pages = paginateListObjectsV2(
      { client: s3Client(), pageSize: this.options.pageSize ?? 1000 },
      { Bucket: this.bucket, Prefix: this.fullKey(prefix) },
    );
    try {
      for await (const page of pages) {
        for (const entry of page.Contents ?? []) {
          if (entry.Key === undefined) continue;
          const key = entry.Key.slice(this.prefix.length);
          // A console "Create folder" leaves an empty object named like a folder.
          if (entry.Key.endsWith('/')) {
            options.onSkipped?.({ key, reason: 'a folder marker, not an object' });
            continue;
          }
          yield { key, size: entry.Size ?? 0, etag: bareEtag(entry.ETag), lastModified: entry.LastModified ?? new Date(0) };
        }
      }
    } catch (err) {
      throw this.fail(err, prefix, 's3:ListBucket');
    }
  }

  private async get(key: string): Promise<GetObjectCommandOutput> {
    try {
      return await s3Client().send(new GetObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }));
    } catch (err) {
      throw this.fail(err, key, 's3:GetObject');
    }
  }

  /** The request starts on the first read, so streams made ahead of use hold no connection. */
  read(key: string): Readable {
    return Readable.from(this.chunks(key), { objectMode: false, highWaterMark: 256 * 1024 });
  }

  private async *chunks(key: string): AsyncGenerator<Buffer> {
    const response = await this.get(key);
    try {
      for await (const chunk of response.Body as Readable) yield chunk as Buffer;
    } catch (err) {
      throw this.fail(err, key, 's3:GetObject');
    }
  }

  async readAll(key: string): Promise<Buffer> {
    return (await this.whole(key, false))!.body;
  }

  readVersion(key: string): Promise<ObjectVersion | undefined> {
    return this.whole(key, true);
  }

  private async whole(key: string, missingIsUndefined: boolean): Promise<ObjectVersion | undefined> {
    let response: GetObjectCommandOutput;
    try {
      response = await s3Client().send(new GetObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }));
    } catch (err) {
      if (missingIsUndefined && isMissingKey(err)) return undefined;
      throw this.fail(err, key, 's3:GetObject');
    }
    try {
      const bytes = await response.Body!.transformToByteArray();
      return { body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), etag: bareEtag(response.ETag) };
    } catch (err) {
      throw this.fail(err, key, 's3:GetObject');
    }
  }

  /** One PUT (or one completed multipart upload) is atomic on S3: readers see all or nothing. */
  async write(key: string, body: Buffer | Readable): Promise<void> {
    const params = { Bucket: this.bucket, Key: this.fullKey(key), Body: body };
    try {
      if (Buffer.isBuffer(body) && body.length <= PART_SIZE) {
        await s3Client().send(new PutObjectCommand(params));
      } else {
        // A stream's length is unknown up front: lib-storage buffers a part at a time, sends a
        // short stream as one PutObject and a long one as a multipart upload (aborted on failure).
        await new Upload({ client: s3Client(), params, partSize: PART_SIZE, queueSize: QUEUE_SIZE }).done();
      }
    } catch (err) {
      throw this.fail(err, key, 's3:PutObject');
    }
  }

  async createIfAbsent(key: string, body: Buffer): Promise<boolean> {
    try {
      await s3Client().send(new PutObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key), Body: body, IfNoneMatch: '*' }));
      return true;
    } catch (err) {
      // 412: the key exists. 409: another conditional write to the key is in flight; it wins
      // or fails, but either way this one did not create the object.
      if (isS3Answer(err, ['PreconditionFailed', 'ConditionalRequestConflict'], [412, 409])) return false;
      throw this.fail(err, key, 's3:PutObject');
    }
  }

  async replaceIfMatch(key: string, body: Buffer, etag: string): Promise<boolean> {
    try {
      await s3Client().send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key), Body: body, IfMatch: `"${bareEtag(etag)}"` }),
      );
      return true;
    } catch (err) {
      // 412: the object changed; 404: it is gone; 409: a concurrent conditional write races us.
      if (isS3Answer(err, ['PreconditionFailed', 'ConditionalRequestConflict'], [412, 409]) || isMissingKey(err)) return false;
      throw this.fail(err, key, 's3:PutObject');
    }
  }

  /**
   * A server-side copy: the bytes never pass through this process. CopyObject copies up to
   * 5 GB in one call; the lake's parts stay under 128 MB, so no multipart copy is needed.
   */
  async copy(fromKey: string, toKey: string): Promise<string> {
    // CopySource is `bucket/key`, URL-encoded. encodeURI keeps '/' and '=' (lake keys are
    // `date=…/hour=…`), which S3 reads as themselves; '?', '#' and '+' would be misread, so
    // they are encoded too. Fully encoding '=' is correct on S3 but s3rver (decodeURI) fails on it.
    const source = encodeURI(`${this.bucket}/${this.fullKey(fromKey)}`).replace(/[?#+]/g, (c) => encodeURIComponent(c));
    try {
      const response = await s3Client().send(new CopyObjectCommand({ Bucket: this.bucket, Key: this.fullKey(toKey), CopySource: source }));
      return bareEtag(response.CopyObjectResult?.ETag);
    } catch (err) {
      throw this.fail(err, fromKey, 's3:GetObject on the source and s3:PutObject on the copy');
    }
  }

  /** S3 answers a delete of a missing key with success, which the port asks for. */
  async delete(key: string): Promise<void> {
    try {
      await s3Client().send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }));
    } catch (err) {
      throw this.fail(err, key, 's3:DeleteObject');
    }
  }
}
