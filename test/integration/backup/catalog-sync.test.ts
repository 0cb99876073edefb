// The operator's periodic catalog sync (--backup-catalog-sync-interval) against the real apiserver
// and versitygw, on a FakeClock: a backup that exists only in S3 (written by the real backup tool,
// as in a fresh cluster) becomes a MiddlewareBackup when the clock passes the interval, and comes
// back the same way after its CR is deleted. Nothing waits for real time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MiddlewareBackup } from '../../../src/api/index.ts';
import { ANNOTATION_SYNCED_FROM, parseMetadata } from '../../../src/backup/metadata.ts';
import { createS3Client } from '../../../src/backup/s3/client.ts';
import { getText } from '../../../src/backup/s3/transfer.ts';
import { isNotFound } from '../../../src/kube/errors.ts';
import type { RunningOperator } from '../../../src/operator/run.ts';
import { type LocalRedis, startLocalRedis } from '../../services/backup/helpers/local-redis.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { type S3Server, startS3Server } from '../../support/s3-server.ts';
import { eventually, useNamespace } from '../support/cluster.ts';
import { listWorkflows } from '../support/fake-argo.ts';
import { adminRest, installMwop } from '../support/install.ts';
import {
  backupPath,
  createStorage,
  deleteStorage,
  run,
  startOperatorWithClock,
  TOOL_MAIN,
} from './support.ts';

const ns = useNamespace('catsync');
const rest = adminRest();
const clock = new FakeClock(Date.now());
const INTERVAL_MS = 10 * 60_000;
const BUCKET = 'catalog';
const PREFIX = 'clusters/sync';
let s3: S3Server;
let redis: LocalRedis;
let operator: RunningOperator;
let storageName: string;

beforeAll(async () => {
  await installMwop();
  s3 = await startS3Server();
  redis = await startLocalRedis();
  await s3.createBucket(BUCKET);
  storageName = `s3-${ns.name}`;
  await createStorage(rest, ns.name, storageName, s3, { bucket: BUCKET, prefix: PREFIX });
  operator = await startOperatorWithClock(ns.name, clock, ['--backup-catalog-sync-interval', '10m']);
}, 600_000);
afterAll(async () => {
  await operator?.shutdown('test done');
  if (storageName) await deleteStorage(rest, storageName);
  await redis?.destroy();
  await s3?.stop();
});

const getBackup = (name: string) => rest.get<MiddlewareBackup>(backupPath(ns.name, name));

/** Polls with the fake clock moved one interval per attempt: each attempt lets one more sync run. */
function nextIntervals<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  return eventually(what, async () => {
    clock.advance(INTERVAL_MS);
    return probe();
  });
}

async function backupIfSucceeded(name: string): Promise<MiddlewareBackup | undefined> {
  try {
    const b = await getBackup(name);
    return b.status?.phase === 'Succeeded' ? b : undefined;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

describe('periodic catalog sync in the operator', () => {
  it('creates the MiddlewareBackup of a backup found only in S3, and recreates it after its CR is deleted', async () => {
    await redis.client().set('k', 'v');
    // The backup tool writes a backup of an instance this cluster never had: data and metadata.json.
    const tool = await run(
      process.execPath,
      [
        TOOL_MAIN,
        'backup',
        '--type',
        'redis',
        '--namespace',
        ns.name,
        '--instance',
        'elsewhere',
        '--backup',
        'lost-1',
        '--plugin-version',
        'v1',
        '--middleware-version',
        '7.2.11',
        '--host',
        '127.0.0.1',
        '--port',
        String(redis.port),
      ],
      {
        ...process.env,
        MWOP_DB_PASSWORD: redis.password,
        MWOP_S3_ENDPOINT: s3.endpoint,
        MWOP_S3_BUCKET: BUCKET,
        MWOP_S3_REGION: s3.region,
        MWOP_S3_PREFIX: PREFIX,
        MWOP_S3_FORCE_PATH_STYLE: 'true',
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      },
    );
    expect(tool.code, tool.stderr).toBe(0);
    const key = `${PREFIX}/${ns.name}/elsewhere/lost-1/metadata.json`;
    const client = createS3Client({
      endpoint: s3.endpoint,
      bucket: BUCKET,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    const meta = parseMetadata(JSON.parse(await getText(client, BUCKET, key)), key);
    client.destroy();

    const rebuilt = await nextIntervals('lost-1 rebuilt by the sync', () => backupIfSucceeded('lost-1'));
    expect(rebuilt.spec).toEqual({ instanceRef: { name: 'elsewhere' }, storage: storageName });
    expect(rebuilt.metadata.annotations?.[ANNOTATION_SYNCED_FROM]).toBe(`s3://${BUCKET}/${key}`);
    expect(rebuilt.status).toMatchObject({
      phase: 'Succeeded',
      storage: storageName,
      bucket: BUCKET,
      metadataPath: key,
      sha256: meta.sha256,
      size: meta.size,
      type: 'redis',
    });
    // The backup controller did not take it for a new backup: no workflow, and it stays Succeeded.
    expect((await listWorkflows(rest, ns.name)).map((w) => w.metadata?.name)).not.toContain('lost-1-backup');

    // Deleted by hand while its objects stay in S3: the next interval brings it back.
    await rest.delete(backupPath(ns.name, 'lost-1'));
    await eventually('lost-1 deleted', async () => ((await backupIfSucceeded('lost-1')) ? undefined : true));
    const again = await nextIntervals('lost-1 rebuilt again', () => backupIfSucceeded('lost-1'));
    expect(again.status?.sha256).toBe(meta.sha256);
    expect(again.metadata.uid).not.toBe(rebuilt.metadata.uid);
  });
});
