// Streaming transfers with an end-to-end SHA-256. Upload hashes the bytes as they stream to a
// multipart upload; download hashes into a temporary file and only renames it into place when
// the hash and size match, so nothing unverified ever reaches a loader.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

export interface TransferResult {
  /** Bytes transferred. */
  size: number;
  /** Lower-case hex SHA-256 of the bytes. */
  sha256: string;
}

export interface UploadOptions {
  contentType?: string;
  /** Multipart part size; S3 needs at least 5 MiB. */
  partSize?: number;
  /** Parts in flight at once (memory is partSize * queueSize). */
  queueSize?: number;
  /**
   * Awaited after the source ends and before the upload completes. A producer that is a child
   * process passes its exit here, so a dump that stops early with an error (its stdout still
   * ending cleanly) fails the upload instead of storing a truncated artifact.
   */
  beforeComplete?: () => Promise<void>;
  abortSignal?: AbortSignal;
}

/** Hashes and counts the bytes passing through. */
class HashTap extends Transform {
  readonly hash = createHash('sha256');
  // Not "size": lib-storage reads Body.size as the total length.
  bytes = 0;
  private readonly beforeEnd: (() => Promise<void>) | undefined;

  constructor(beforeEnd?: () => Promise<void>) {
    super();
    this.beforeEnd = beforeEnd;
  }
  override _transform(
    chunk: Buffer,
    _enc: BufferEncoding,
    cb: (err?: Error | null, data?: Buffer) => void,
  ): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
  override _flush(cb: (err?: Error | null) => void): void {
    if (!this.beforeEnd) {
      cb();
      return;
    }
    this.beforeEnd().then(
      () => cb(),
      (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
    );
  }
}

/** Streams `source` to s3://bucket/key with a multipart upload, computing SHA-256 on the way. */
export async function uploadStream(
  client: S3Client,
  bucket: string,
  key: string,
  source: Readable,
  opts: UploadOptions = {},
): Promise<TransferResult> {
  const tap = new HashTap(opts.beforeComplete);
  const piping = pipeline(source, tap);
  // pipeline rejects on a source error and destroys the tap, which makes the Upload fail too;
  // swallow it here so it is reported once, by upload.done().
  piping.catch(() => undefined);
  const upload = new Upload({
    client,
    params: {
      Bucket: bucket,
      Key: key,
      Body: tap,
      ContentType: opts.contentType ?? 'application/octet-stream',
    },
    partSize: opts.partSize ?? 8 * 1024 * 1024,
    queueSize: opts.queueSize ?? 2,
    leavePartsOnError: false,
  });
  if (opts.abortSignal) {
    opts.abortSignal.addEventListener('abort', () => void upload.abort(), { once: true });
  }
  try {
    await upload.done();
    await piping;
  } catch (err) {
    source.destroy();
    tap.destroy();
    throw err;
  }
  return { size: tap.bytes, sha256: tap.hash.digest('hex') };
}

/** Writes a small object (metadata) in one PUT. */
export async function putText(
  client: S3Client,
  bucket: string,
  key: string,
  text: string,
  contentType = 'application/json',
): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: contentType }));
}

export async function getText(client: S3Client, bucket: string, key: string): Promise<string> {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!res.Body) throw new Error(`s3://${bucket}/${key}: empty response body`);
  return await res.Body.transformToString('utf8');
}

export class ChecksumMismatchError extends Error {
  readonly expected: TransferResult;
  readonly actual: TransferResult;
  readonly location: string;

  constructor(location: string, expected: TransferResult, actual: TransferResult) {
    super(
      `${location}: the downloaded artifact does not match its metadata ` +
        `(expected sha256 ${expected.sha256} and ${expected.size} bytes, got sha256 ${actual.sha256} and ${actual.size} bytes); ` +
        'nothing was restored',
    );
    this.name = 'ChecksumMismatchError';
    this.expected = expected;
    this.actual = actual;
    this.location = location;
  }
}

/**
 * Downloads s3://bucket/key to `destPath`, verified: the bytes go to a temporary file beside it,
 * and only when size and SHA-256 match `expected` is it renamed to destPath. On a mismatch the
 * temporary file is removed, destPath is untouched, and ChecksumMismatchError is thrown.
 */
export async function downloadVerified(
  client: S3Client,
  bucket: string,
  key: string,
  expected: TransferResult,
  destPath: string,
): Promise<TransferResult> {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!(res.Body instanceof Readable)) throw new Error(`s3://${bucket}/${key}: expected a stream body`);
  const tmp = join(dirname(destPath), `.${basename(destPath)}.download-${process.pid}-${Date.now()}`);
  const tap = new HashTap();
  try {
    await pipeline(res.Body, tap, createWriteStream(tmp, { mode: 0o600 }));
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  const actual = { size: tap.bytes, sha256: tap.hash.digest('hex') };
  if (actual.sha256 !== expected.sha256.toLowerCase() || actual.size !== expected.size) {
    await unlink(tmp).catch(() => undefined);
    throw new ChecksumMismatchError(`s3://${bucket}/${key}`, expected, actual);
  }
  await rename(tmp, destPath);
  return actual;
}
