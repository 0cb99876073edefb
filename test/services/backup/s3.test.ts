// S3 layer against a real S3-compatible server (versitygw): streaming upload with SHA-256,
// verified download, probe classification for bad credentials and a missing bucket.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, type S3StorageConfig } from '../../../src/backup/s3/client.ts';
import { probeStorage } from '../../../src/backup/s3/probe.ts';
import { ChecksumMismatchError, downloadVerified, uploadStream } from '../../../src/backup/s3/transfer.ts';
import { type S3Server, startS3Server } from '../../support/s3-server.ts';

let s3: S3Server;
let cfg: S3StorageConfig;
let work: string;

beforeAll(async () => {
  s3 = await startS3Server();
  await s3.createBucket('backups');
  cfg = {
    endpoint: s3.endpoint,
    bucket: 'backups',
    region: s3.region,
    prefix: 'prod',
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  };
  work = mkdtempSync(join(tmpdir(), 'mwop-s3-test-'));
});

afterAll(async () => {
  await s3?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('uploadStream', () => {
  it('streams a multipart upload and returns the SHA-256 and size of exactly the bytes stored', async () => {
    const client = createS3Client(cfg);
    // 12 MiB in 64 KiB chunks with 5 MiB parts: three parts, so this is a real multipart upload.
    const data = randomBytes(12 * 1024 * 1024);
    const chunks = Array.from({ length: data.length / 65536 }, (_, i) =>
      data.subarray(i * 65536, (i + 1) * 65536),
    );
    const res = await uploadStream(client, 'backups', 'prod/a/big.bin', Readable.from(chunks), {
      partSize: 5 * 1024 * 1024,
    });
    expect(res).toEqual({ size: data.length, sha256: createHash('sha256').update(data).digest('hex') });
    const head = await client.send(new HeadObjectCommand({ Bucket: 'backups', Key: 'prod/a/big.bin' }));
    expect(head.ContentLength).toBe(data.length);
    expect(head.ETag).toMatch(/-3"$/); // S3's multipart ETag names the part count

    const dest = join(work, 'big.bin');
    await downloadVerified(client, 'backups', 'prod/a/big.bin', res, dest);
    expect(readFileSync(dest).equals(data)).toBe(true);
  });

  it('fails and stores nothing when the producer fails before completing', async () => {
    const client = createS3Client(cfg);
    const src = Readable.from([Buffer.from('partial dump')]);
    await expect(
      uploadStream(client, 'backups', 'prod/a/failed.bin', src, {
        beforeComplete: async () => {
          throw new Error('dump exited with status 2');
        },
      }),
    ).rejects.toThrow('dump exited with status 2');
    await expect(
      client.send(new HeadObjectCommand({ Bucket: 'backups', Key: 'prod/a/failed.bin' })),
    ).rejects.toMatchObject({
      name: 'NotFound',
    });
  });
});

describe('downloadVerified', () => {
  it('refuses a corrupted object and leaves the destination untouched', async () => {
    const client = createS3Client(cfg);
    const data = Buffer.from('the quick brown fox jumps over the lazy dog\n'.repeat(1000));
    const res = await uploadStream(client, 'backups', 'prod/a/fox.txt', Readable.from([data]));
    // Flip one byte in the stored object, behind the server's back.
    const file = s3.objectPath('backups', 'prod/a/fox.txt');
    const stored = readFileSync(file);
    stored[1234] = (stored[1234] as number) ^ 0x01;
    writeFileSync(file, stored);

    const dest = join(work, 'fox.txt');
    writeFileSync(dest, 'previous contents');
    const err = await downloadVerified(client, 'backups', 'prod/a/fox.txt', res, dest).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ChecksumMismatchError);
    expect((err as Error).message).toContain(res.sha256);
    expect(readFileSync(dest, 'utf8')).toBe('previous contents');
    expect((await readdir(work)).filter((f) => f.includes('download'))).toEqual([]);
  });
});

describe('probeStorage against the real server', () => {
  it('reports ok for a good endpoint, bucket and credentials, including a write probe', async () => {
    expect(await probeStorage(createS3Client(cfg), cfg, { write: true })).toEqual({ ok: true });
  });

  it('classifies a wrong secret as an auth failure', async () => {
    const bad = { ...cfg, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: 'wrong-secret' } };
    const res = await probeStorage(createS3Client(bad), bad);
    expect(res).toMatchObject({ ok: false, reason: 'Auth', code: 'SignatureDoesNotMatch' });
  });

  it('classifies an unknown access key as an auth failure', async () => {
    const bad = { ...cfg, credentials: { accessKeyId: 'nobody', secretAccessKey: 'x' } };
    const res = await probeStorage(createS3Client(bad), bad);
    expect(res).toMatchObject({ ok: false, reason: 'Auth' });
    // AWS and MinIO say InvalidAccessKeyId; versitygw says XAdminUserNotFound (with HTTP 404).
    if (!res.ok) expect(['InvalidAccessKeyId', 'XAdminUserNotFound']).toContain(res.code);
  });

  it('classifies a missing bucket', async () => {
    const bad = { ...cfg, bucket: 'no-such-bucket' };
    const res = await probeStorage(createS3Client(bad), bad);
    expect(res).toMatchObject({ ok: false, reason: 'NoSuchBucket' });
    if (!res.ok) expect(res.message).toContain('no-such-bucket');
  });

  it('classifies a closed port as connection refused', async () => {
    const { freePort } = await import('../../support/s3-server.ts');
    const bad = { ...cfg, endpoint: `http://127.0.0.1:${await freePort()}` };
    const res = await probeStorage(createS3Client(bad), bad);
    expect(res).toMatchObject({ ok: false, reason: 'ConnectionRefused', code: 'ECONNREFUSED' });
  });

  it('classifies https against the plain-http server as a TLS failure', async () => {
    const bad = { ...cfg, endpoint: s3.endpoint.replace('http:', 'https:') };
    const res = await probeStorage(createS3Client(bad), bad);
    expect(res).toMatchObject({ ok: false, reason: 'TLS' });
  });

  it('classifies an unresolvable host as DNS', async () => {
    // .invalid never resolves (RFC 2606); the resolver answers locally without a network.
    const bad = { ...cfg, endpoint: 'http://s3.mwop-test.invalid:9000' };
    const res = await probeStorage(createS3Client(bad), bad);
    expect(res).toMatchObject({ ok: false, reason: 'DNS' });
  });
});

describe('probeStorage against a real HTTPS server with a self-signed certificate', () => {
  let tlsS3: S3Server;
  let tlsCfg: S3StorageConfig;

  beforeAll(async () => {
    tlsS3 = await startS3Server({ tls: true });
    await tlsS3.createBucket('backups');
    tlsCfg = {
      endpoint: tlsS3.endpoint,
      bucket: 'backups',
      region: tlsS3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: tlsS3.accessKeyId, secretAccessKey: tlsS3.secretAccessKey },
    };
  });
  afterAll(async () => {
    await tlsS3?.stop();
  });

  it('classifies the untrusted certificate as a TLS failure', async () => {
    const res = await probeStorage(createS3Client(tlsCfg), tlsCfg);
    expect(res).toMatchObject({ ok: false, reason: 'TLS', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    if (!res.ok) expect(res.message).toMatch(/^TLS: the handshake with 127\.0\.0\.1:\d+ failed/);
  });

  it('reaches the bucket with insecureSkipTLSVerify', async () => {
    const insecure = { ...tlsCfg, insecureSkipTLSVerify: true };
    expect(await probeStorage(createS3Client(insecure), insecure, { write: true })).toEqual({ ok: true });
  });
});
