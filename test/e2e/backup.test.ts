// Backup, restore in place and retention cleanup, with Argo's real workflow-controller running the
// workflows on kwok's simulated nodes. The tool steps are mwop's own images, so the simulated
// executor runs them on this host (hack/testenv/simulation/host-command.ts): the real backup tool
// against a real redis-server and a real S3 server (versitygw), and the real `kubectl mw backup
// prune` with the workflow ServiceAccount's token. Member 0 is a real redis-server on the member's
// volume that stops and starts with the StatefulSet (support/member-stand-in.ts). Only its address
// differs from a real cluster: the namespace annotation sim.mwop.dev/env points MWOP_DB_HOST/PORT
// at it.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Secret } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MiddlewareBackup, MiddlewareOperation } from '../../src/api/index.ts';
import { mergePatch } from '../../src/kube/apply.ts';
import { resourcePath } from '../../src/kube/gvr.ts';
import { createStorage, deleteStorage } from '../integration/backup/support.ts';
import { type S3Server, startS3Server } from '../support/s3-server.ts';
import {
  e2eNamespace,
  eventually,
  getInstance,
  instancePath,
  type PhaseRecorder,
  patchSpec,
  recordPhases,
  redis,
  workflowsOf,
} from './support/e2e.ts';
import { type MemberStandIn, standInForMember } from './support/member-stand-in.ts';

const ns = e2eNamespace('e2e-backup');
const NAME = 'store';
const STORAGE = `e2e-s3-${ns.name}`;
const BUCKET = 'e2e-backups';
let phases: PhaseRecorder;
let s3: S3Server;
let member: MemberStandIn;

const backupPath = (name?: string) =>
  resourcePath(
    'mwop.dev/v1alpha1',
    'MiddlewareBackup',
    name ? { namespace: ns.name, name } : { namespace: ns.name },
  );
const operationPath = () => resourcePath('mwop.dev/v1alpha1', 'MiddlewareOperation', { namespace: ns.name });

async function backupDone(name: string): Promise<MiddlewareBackup> {
  return eventually(
    `backup ${name} finished`,
    async () => {
      const b = await ns.rest.get<MiddlewareBackup>(backupPath(name));
      return b.status?.phase === 'Succeeded' || b.status?.phase === 'Failed' ? b : undefined;
    },
    { attempts: 1200, intervalMs: 200 },
  );
}

async function takeBackup(name: string): Promise<MiddlewareBackup> {
  await ns.rest.post(backupPath(), {
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareBackup',
    metadata: { name, namespace: ns.name },
    spec: { instanceRef: { name: NAME }, storage: STORAGE },
  });
  return backupDone(name);
}

beforeAll(async () => {
  s3 = await startS3Server();
  await s3.createBucket(BUCKET);
  await createStorage(ns.rest, ns.name, STORAGE, s3, { bucket: BUCKET });
  phases = await recordPhases(ns, NAME);
  await ns.rest.post(instancePath(ns.name), redis(ns.name, NAME, { backup: { storage: STORAGE } }));
  const inst = await phases.until('Running');
  expect(inst).toEqual(['Initializing', 'Running']);
  // The member a tool pod would reach through the cluster network: a real redis-server here, on
  // the member's volume, with the password the operator generated for this instance.
  const running = await getInstance(ns, NAME);
  const secret = await ns.rest.get<V1Secret>(
    resourcePath('v1', 'Secret', {
      namespace: ns.name,
      name: running.status?.connection?.secretName as string,
    }),
  );
  const password = Buffer.from(secret.data?.password as string, 'base64').toString('utf8');
  member = await standInForMember(ns, NAME, password);
  await mergePatch(
    ns.rest,
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns.name } },
    {
      metadata: {
        annotations: {
          'sim.mwop.dev/env': JSON.stringify({
            MWOP_DB_HOST: member.host,
            MWOP_DB_PORT: String(member.port),
          }),
        },
      },
    },
  );
  for (let i = 0; i < 50; i++) await member.server().command('SET', `key:${i}`, `value-${i}`);
});

afterAll(async () => {
  await phases?.stop();
  await member?.stop();
  await deleteStorage(ns.rest, STORAGE);
  await s3?.stop();
});

describe('backup, restore and retention through the real Argo controller', () => {
  it('backup: Running -> BackingUp -> Running; the backup Succeeded with the sha256 of the object in S3', async () => {
    const from = phases.phases().length;
    const backup = await takeBackup('first');
    expect(backup.status?.phase).toBe('Succeeded');
    const seen = await phases.until('Running', from + 2);
    expect(seen.slice(from - 1)).toEqual(['Running', 'BackingUp', 'Running']);
    const data = readFileSync(s3.objectPath(BUCKET, backup.status?.path as string));
    expect(createHash('sha256').update(data).digest('hex')).toBe(backup.status?.sha256);
    expect(backup.status?.size).toBe(data.length);
  });

  it('restore in place: Running -> Restoring -> Running; member 0 restarts on the verified RDB, and what was written after the backup is gone', async () => {
    const backup = await ns.rest.get<MiddlewareBackup>(backupPath('first'));
    // Written after the backup: the restore must take the data back to what the backup holds.
    await member.server().command('SET', 'after-backup', 'x');
    expect(await member.server().command('DBSIZE')).toBe(':51');
    const from = phases.phases().length;
    const op: MiddlewareOperation = {
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'MiddlewareOperation',
      metadata: { name: 'restore-first', namespace: ns.name },
      spec: { instanceRef: { name: NAME }, type: 'Restore', restore: { backup: 'first' } },
    };
    await ns.rest.post(operationPath(), op);
    const seen = await phases.until('Running', from + 2);
    expect(seen.slice(from - 1)).toEqual(['Running', 'Restoring', 'Running']);
    const done = await ns.rest.get<MiddlewareOperation>(
      resourcePath('mwop.dev/v1alpha1', 'MiddlewareOperation', {
        namespace: ns.name,
        name: op.metadata.name,
      }),
    );
    expect(done.status?.phase).toBe('Succeeded');
    // The safety backup ran against the serving member before the workflow stopped it.
    const safety = await ns.rest.get<MiddlewareBackup>(backupPath(`${op.metadata.name}-safety`));
    expect(safety.status?.phase).toBe('Succeeded');
    // The workflow stopped member 0 (scaled to 0) for the restore and started it again.
    expect(member.events()).toEqual(['start', 'stop', 'start']);
    // The restore step wrote the backup's RDB into member 0's volume...
    const rdb = join(member.dir, 'dump.rdb');
    expect(existsSync(rdb)).toBe(true);
    const original = readFileSync(s3.objectPath(BUCKET, backup.status?.path as string));
    expect(createHash('sha256').update(readFileSync(rdb)).digest('hex')).toBe(
      createHash('sha256').update(original).digest('hex'),
    );
    // ...and the member, started again on it, serves the backup's data: 50 keys, not 51.
    expect(await member.server().command('DBSIZE')).toBe(':50');
    expect(await member.server().command('EXISTS', 'after-backup')).toBe(':0');
    expect(await member.server().command('EXISTS', 'key:49')).toBe(':1');
  });

  it('retention cleanup: with maxCount 1, a cleanup workflow deletes the older backups (CRs and S3 objects), keeping the newest', async () => {
    const second = await takeBackup('second');
    expect(second.status?.phase).toBe('Succeeded');
    const first = await ns.rest.get<MiddlewareBackup>(backupPath('first'));
    await patchSpec(ns, NAME, { backup: { storage: STORAGE, retention: { maxCount: 1 } } });
    await eventually(
      'the retention-cleanup workflow Succeeded',
      async () => {
        const [wf] = await workflowsOf(ns, NAME, 'retention-cleanup');
        return wf?.status?.phase === 'Succeeded' ? wf : undefined;
      },
      { attempts: 1200, intervalMs: 200 },
    );
    const left = await ns.rest.get<{ items: MiddlewareBackup[] }>(backupPath());
    const names = left.items.map((b) => b.metadata.name).sort();
    expect(names).not.toContain('first');
    expect(names).toContain('second');
    expect(existsSync(s3.objectPath(BUCKET, first.status?.path as string))).toBe(false);
    expect(existsSync(s3.objectPath(BUCKET, second.status?.path as string))).toBe(true);
  });
});
