// The backup tool as the workflow step runs it: a separate process configured by flags and env.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
