// The backup tool as the workflow step runs it: a separate process configured by flags and env.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3Server, startS3Server } from '../../support/s3-server.ts';
import { type LocalRedis, startLocalRedis } from './helpers/local-redis.ts';

const run = promisify(execFile);
const main = join(import.meta.dirname, '../../../src/backup/tools/main.ts');

let s3: S3Server;
let redis: LocalRedis;
let work: string;

beforeAll(async () => {
  // One after the other, so a failed start never leaves the other server running unowned.
  s3 = await startS3Server();
  redis = await startLocalRedis();
  await s3.createBucket('cli-backups');
  work = mkdtempSync(join(tmpdir(), 'mwop-cli-'));
});
afterAll(async () => {
  await Promise.all([s3?.stop(), redis?.destroy()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    MWOP_S3_ENDPOINT: s3.endpoint,
    MWOP_S3_BUCKET: 'cli-backups',
    MWOP_S3_PREFIX: 'tool',
    MWOP_S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    MWOP_DB_PASSWORD: redis.password,
  };
}

async function tool(
  args: string[],
): Promise<{ code: number; result: Record<string, unknown>; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [main, ...args], { env: env() });
    return { code: 0, result: JSON.parse(stdout.trim().split('\n').pop() ?? '{}'), stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    const last = e.stdout.trim().split('\n').pop();
    return { code: e.code, result: last ? JSON.parse(last) : {}, stderr: e.stderr };
  }
}

describe('src/backup/tools/main.ts', () => {
  it('backs up and restores redis, reporting JSON results, and exits 3 on a checksum mismatch', async () => {
    await redis.client().set('from-cli', 'yes');
    const resultFile = join(work, 'result.json');
    const backup = await tool([
      'backup',
      '--type=redis',
      '--namespace=team-a',
      '--instance=cache',
      '--backup=cache-cli-1',
      '--plugin-version=v1',
      '--middleware-version=7.0',
      '--instance-spec={"type":"redis","pluginVersion":"v1","storage":{"size":"1Gi"}}',
      '--host=127.0.0.1',
      `--port=${redis.port}`,
      `--result-file=${resultFile}`,
    ]);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.result).toMatchObject({
      phase: 'Succeeded',
      path: 'tool/team-a/cache/cache-cli-1/dump.rdb',
      metadataPath: 'tool/team-a/cache/cache-cli-1/metadata.json',
    });
    expect(JSON.parse(readFileSync(resultFile, 'utf8'))).toEqual(backup.result);

    const dataDir = mkdtempSync(join(work, 'data-'));
    const restore = await tool([
      'restore',
      '--type=redis',
      '--metadata-key=tool/team-a/cache/cache-cli-1/metadata.json',
      `--data-dir=${dataDir}`,
    ]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.result).toMatchObject({ phase: 'Succeeded', restored: 'team-a/cache-cli-1' });
    const restored = await startLocalRedis({ dataDir });
    try {
      expect(await restored.client().get('from-cli')).toBe('yes');
    } finally {
      await restored.destroy();
    }

    const obj = s3.objectPath('cli-backups', 'tool/team-a/cache/cache-cli-1/dump.rdb');
    const bytes = readFileSync(obj);
    bytes[bytes.length - 3] = (bytes[bytes.length - 3] as number) ^ 0x10;
    writeFileSync(obj, bytes);
    const refused = await tool([
      'restore',
      '--type=redis',
      '--metadata-key=tool/team-a/cache/cache-cli-1/metadata.json',
      `--data-dir=${mkdtempSync(join(work, 'data-'))}`,
    ]);
    expect(refused.code).toBe(3);
    expect(refused.result).toMatchObject({ phase: 'Failed', reason: 'ChecksumMismatch' });
  });

  it('exits 2 naming the flag when a required value is missing', async () => {
    const res = await tool(['backup', '--type=redis', '--host=127.0.0.1', `--port=${redis.port}`]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--namespace \(or MWOP_NAMESPACE\): got nothing, accepted a non-empty value/);
  });
});

describe('src/backup/tools/main.ts --timeout', () => {
  it('gives up when the server never answers: exit 124, a Timeout result, and the dump process is killed', async () => {
    // A TCP server that accepts and then says nothing: redis-cli waits forever for its reply.
    const sockets: Socket[] = [];
    const silent = createServer((sock) => {
      sockets.push(sock);
      sock.on('error', () => undefined);
      sock.resume(); // read, so the client's close is noticed
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    try {
      const res = await tool([
        'backup',
        '--type=redis',
        '--namespace=team-a',
        '--instance=stuck',
        '--backup=stuck-1',
        '--plugin-version=v1',
        '--middleware-version=7.0',
        '--host=127.0.0.1',
        `--port=${port}`,
        '--timeout=1',
      ]);
      expect(res.code).toBe(124);
      expect(res.result).toMatchObject({
        phase: 'Failed',
        reason: 'Timeout',
        message: 'backup did not finish within 1s',
      });
      // The killed redis-cli closes its connection: every socket the server saw is ended.
      await Promise.all(sockets.map((s) => (s.closed ? undefined : new Promise((r) => s.once('close', r)))));
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});
