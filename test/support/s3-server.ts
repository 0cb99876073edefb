// A real S3-compatible server for tests: versitygw with its posix backend, built by
// hack/s3server/build.sh (cached by version, so only the first run compiles), started on a free
// loopback port with a temporary data directory. A missing Go toolchain or a failed build fails
// the test loudly; nothing is skipped.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { Agent as HttpsAgent, get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface S3Server {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  dataDir: string;
  /** With `tls`: the self-signed certificate, to trust it in a client. */
  caCertFile?: string;
  /** Creates a bucket (a directory in the posix backend). */
  createBucket(name: string): Promise<void>;
  /** Path of an object's file in the posix backend (for corrupting it on purpose). */
  objectPath(bucket: string, key: string): string;
  stop(): Promise<void>;
}

/** Builds (first run only) and returns the versitygw binary path. */
export function s3ServerBinary(): string {
  const out = execFileSync('bash', [join(repoRoot, 'hack/s3server/build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const bin = out.trim().split('\n').pop();
  if (!bin) throw new Error('hack/s3server/build.sh printed no binary path');
  return bin;
}

export async function freePort(): Promise<number> {
  return await new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

function httpAnswer(url: string, ca?: Buffer): Promise<void> {
  return new Promise((res, rej) => {
    const req = (url.startsWith('https:') ? httpsGet : httpGet)(url, ca ? { ca } : {}, (r) => {
      r.resume();
      res();
    });
    req.once('error', rej);
  });
}

async function waitForHttp(
  url: string,
  child: ChildProcess,
  logFile: string,
  caCertFile?: string,
  deadlineMs = 30_000,
): Promise<void> {
  const ca = caCertFile ? readFileSync(caCertFile) : undefined;
  const start = Date.now();
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `versitygw exited with ${child.exitCode} before serving ${url}:\n${readFileSync(logFile, 'utf8')}`,
      );
    }
    try {
      await httpAnswer(url, ca);
      return; // any HTTP answer (403 without credentials) means it serves
    } catch {
      // not listening yet
    }
    if (Date.now() - start > deadlineMs) {
      throw new Error(
        `versitygw did not serve ${url} within ${deadlineMs} ms:\n${readFileSync(logFile, 'utf8')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface S3ServerOptions {
  /** Serve HTTPS with a fresh self-signed certificate for 127.0.0.1 (made with openssl). */
  tls?: boolean;
}

function selfSignedCert(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'tls.crt');
  const key = join(dir, 'tls.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { cert, key };
}

export async function startS3Server(options: S3ServerOptions = {}): Promise<S3Server> {
  const bin = s3ServerBinary();
  const root = mkdtempSync(join(tmpdir(), 'mwop-s3-'));
  const dataDir = join(root, 'data');
  mkdirSync(dataDir);
  const logFile = join(root, 'versitygw.log');
  const accessKeyId = `test${randomBytes(6).toString('hex')}`;
  const secretAccessKey = randomBytes(20).toString('hex');
  const region = 'us-east-1';
  const tls = options.tls ? selfSignedCert(root) : undefined;
  const scheme = tls ? 'https' : 'http';

  // The port can be taken between freePort() and the bind; retry a few times.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const fd = openSync(logFile, 'a');
    const child = spawn(
      bin,
      [
        '--access',
        accessKeyId,
        '--secret',
        secretAccessKey,
        '--region',
        region,
        '--port',
        `127.0.0.1:${port}`,
        ...(tls ? ['--cert', tls.cert, '--key', tls.key] : []),
        '--quiet',
        'posix',
        dataDir,
      ],
      { stdio: ['ignore', fd, fd] },
    );
    const endpoint = `${scheme}://127.0.0.1:${port}`;
    try {
      await waitForHttp(endpoint, child, logFile, tls?.cert);
    } catch (err) {
      child.kill('SIGKILL');
      if (attempt < 3 && /address already in use/.test(readFileSync(logFile, 'utf8'))) continue;
      throw err;
    }
    const client = new S3Client({
      endpoint,
      region,
      forcePathStyle: true,
      credentials: { accessKeyId, secretAccessKey },
      ...(tls ? { requestHandler: { httpsAgent: new HttpsAgent({ ca: readFileSync(tls.cert) }) } } : {}),
    });
    return {
      endpoint,
      region,
      accessKeyId,
      secretAccessKey,
      dataDir,
      ...(tls ? { caCertFile: tls.cert } : {}),
      async createBucket(name) {
        await client.send(new CreateBucketCommand({ Bucket: name }));
      },
      objectPath(bucket, key) {
        return join(dataDir, bucket, ...key.split('/'));
      },
      async stop() {
        client.destroy();
        if (child.exitCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
        }
        rmSync(root, { recursive: true, force: true });
      },
    };
  }
}
