// MiddlewareBackup against the real apiserver and a real S3 server (versitygw), with the operator
// in process. The tests play Argo: for a backup they run the real backup tool from this process
// against a real redis-server, exactly as the tool pod would, then write the Workflow status.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MiddlewareBackup, MiddlewareInstance } from '../../../src/api/index.ts';
import { parseMetadata } from '../../../src/backup/metadata.ts';
import { getText } from '../../../src/backup/s3/transfer.ts';
import { isNotFound, KubeApiError } from '../../../src/kube/errors.ts';
import { resourcePath } from '../../../src/kube/gvr.ts';
import { KubeRest } from '../../../src/kube/rest.ts';
import { loadKubeConfig } from '../../../src/operator/kubeconfig.ts';
import type { RunningOperator } from '../../../src/operator/run.ts';
import { WORKFLOW_SERVICE_ACCOUNT } from '../../../src/workflows/names.ts';
import { T } from '../../../src/workflows/templates/catalog.ts';
import { retentionCleanupTemplates } from '../../../src/workflows/templates/retention-cleanup.ts';
import { type LocalRedis, startLocalRedis } from '../../services/backup/helpers/local-redis.ts';
import { type S3Server, startS3Server } from '../../support/s3-server.ts';
import { eventually, testenv, useNamespace } from '../support/cluster.ts';
import { finishWorkflow, listWorkflows } from '../support/fake-argo.ts';
import { adminRest, installMwop } from '../support/install.ts';
import { startOperator } from '../support/operator.ts';
import {
  API,
  backupPath,
  backupPhase,
  createRunning,
  createStorage,
  deleteStorage,
  getWorkflow,
  instancePath,
  instancePhase,
  MW_BIN,
  redisInstance,
  run,
  runBackupTool,
  runTemplateStep,
  serviceAccountKubeconfig,
  setTaskPhases,
  storagePath,
  taskParameters,
} from './support.ts';

const ns = useNamespace('backup');
const rest = adminRest();
const BUCKET = 'mwop-backups';
const BUCKET2 = 'mwop-backups-2';
let storageName: string;
let storage2: string | undefined;
let s3: S3Server;
let s3Client: S3Client;
let redis: LocalRedis;
let operator: RunningOperator;
const tmp = mkdtempSync(join(tmpdir(), 'mwop-backup-it-'));

/** The HTTP status of a call that must fail. */
async function statusOfCall(call: Promise<unknown>): Promise<number> {
  try {
    await call;
  } catch (err) {
    if (err instanceof KubeApiError) return err.statusCode;
    throw err;
  }
  throw new Error('the call succeeded; it was expected to fail');
}

beforeAll(async () => {
  await installMwop();
  s3 = await startS3Server();
  redis = await startLocalRedis();
  await s3.createBucket(BUCKET);
  s3Client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  storageName = `s3-${ns.name}`;
  await createStorage(rest, ns.name, storageName, s3, { bucket: BUCKET, prefix: 'clusters/test' });
  operator = await startOperator(ns.name);
}, 600_000);
afterAll(async () => {
  await operator?.shutdown('test done');
  s3Client?.destroy();
  if (storageName) await deleteStorage(rest, storageName);
  if (storage2) await deleteStorage(rest, storage2);
  await redis?.destroy();
  await s3?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

function backupObj(
  name: string,
  instance: string,
  spec: Partial<MiddlewareBackup['spec']> = {},
): MiddlewareBackup {
  return {
    apiVersion: API,
    kind: 'MiddlewareBackup',
    metadata: { name, namespace: ns.name },
    spec: { instanceRef: { name: instance }, storage: storageName, ...spec },
  };
}

const getBackup = (name: string) => rest.get<MiddlewareBackup>(backupPath(ns.name, name));

async function objectExists(key: string): Promise<boolean> {
  try {
    await s3Client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    return true;
  } catch (err) {
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw err;
  }
}

/** A manual backup taken for real: the operator plans it, the tool runs, the workflow succeeds. */
async function takeBackup(name: string, instance: string, storage?: string): Promise<MiddlewareBackup> {
  await rest.post(backupPath(ns.name), backupObj(name, instance, storage ? { storage } : {}));
  const running = await backupPhase(rest, ns.name, name, 'Running');
  const wf = await getWorkflow(rest, ns.name, running.status!.workflow!);
  const tool = await runBackupTool(rest, wf, { port: redis.port, password: redis.password });
  if (tool.code !== 0) throw new Error(`backup tool exited ${tool.code}: ${tool.stderr}`);
  await finishWorkflow(rest, wf, { phase: 'Succeeded' });
  return backupPhase(rest, ns.name, name, 'Succeeded');
}

describe('manual MiddlewareBackup', () => {
  it('Pending -> Running (workflow, instance BackingUp) -> Succeeded with size, sha256 and path from metadata.json in S3', async () => {
    await createRunning(rest, redisInstance(ns.name, 'cache'));
    await redis.client().set('greeting', 'hello from the integration test');

    await rest.post(backupPath(ns.name), backupObj('cache-manual', 'cache'));
    const running = await backupPhase(rest, ns.name, 'cache-manual', 'Running');
    expect(running.status).toMatchObject({
      workflow: 'cache-manual-backup',
      storage: storageName,
      bucket: BUCKET,
      type: 'redis',
      pluginVersion: 'v1',
    });
    await instancePhase(rest, ns.name, 'cache', 'BackingUp');

    const wf = await getWorkflow(rest, ns.name, 'cache-manual-backup');
    const params = taskParameters(wf, 'backup');
    expect(params).toMatchObject({
      type: 'redis',
      instance: 'cache',
      backup: 'cache-manual',
      's3-endpoint': s3.endpoint,
      's3-bucket': BUCKET,
      's3-prefix': 'clusters/test',
      's3-credentials-secret': `mwop-s3-${storageName}`,
    });
    const tool = await runBackupTool(rest, wf, { port: redis.port, password: redis.password });
    expect(tool.code, tool.stderr).toBe(0);
    await finishWorkflow(rest, wf, { phase: 'Succeeded' });

    const done = await backupPhase(rest, ns.name, 'cache-manual', 'Succeeded');
    const key = done.status!.metadataPath!;
    expect(key).toBe(`clusters/test/${ns.name}/cache/cache-manual/metadata.json`);
    const meta = parseMetadata(JSON.parse(await getText(s3Client, BUCKET, key)), key);
    expect(done.status).toMatchObject({
      size: meta.size,
      sha256: meta.sha256,
      path: key.replace(/metadata\.json$/, meta.dataFile),
      completionTime: meta.completionTime,
    });
    expect(meta.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(meta.size).toBeGreaterThan(0);
    expect(await objectExists(done.status!.path!)).toBe(true);
    expect(done.status?.conditions?.find((c) => c.type === 'Complete')).toMatchObject({
      status: 'True',
      reason: 'Succeeded',
    });
    await instancePhase(rest, ns.name, 'cache', 'Running');
  });

  it('a failed tool run: Failed with the reason, and never retried', async () => {
    await rest.post(backupPath(ns.name), backupObj('cache-broken', 'cache'));
    const running = await backupPhase(rest, ns.name, 'cache-broken', 'Running');
    const wf = await getWorkflow(rest, ns.name, running.status!.workflow!);
    // The tool pod as it would fail: the password is wrong, the tool exits non-zero.
    const tool = await runBackupTool(rest, wf, { port: redis.port, password: 'not-the-password' });
    expect(tool.code).not.toBe(0);
    const reason = (tool.stderr.trim().split('\n').pop() ?? 'tool failed').slice(0, 200);
    await finishWorkflow(rest, wf, { phase: 'Failed', failAt: 'backup', message: reason });

    const failed = await backupPhase(rest, ns.name, 'cache-broken', 'Failed');
    expect(failed.status?.message).toContain('step backup');
    expect(failed.status?.message).toContain(reason);
    // Not retried: still exactly one workflow for it, and the phase stays Failed after a spec touch.
    await rest.patch(
      backupPath(ns.name, 'cache-broken'),
      { metadata: { labels: { touched: 'yes' } } },
      'application/merge-patch+json',
    );
    const wfs = (await listWorkflows(rest, ns.name)).filter((w) =>
      w.metadata?.name?.startsWith('cache-broken'),
    );
    expect(wfs.map((w) => w.metadata?.name)).toEqual(['cache-broken-backup']);
    expect((await getBackup('cache-broken')).status?.phase).toBe('Failed');
    await instancePhase(rest, ns.name, 'cache', 'Running');
  });
});

describe('retention', () => {
  it('the retention-cleanup step, run as the workflow ServiceAccount with only the template inputs, deletes exactly the oldest CR and its S3 objects', async () => {
    await createRunning(rest, redisInstance(ns.name, 'keep2'));
    const taken: MiddlewareBackup[] = [];
    for (const n of ['keep2-a', 'keep2-b', 'keep2-c']) taken.push(await takeBackup(n, 'keep2'));
    // The policy comes after the backups, so the operator sees all three at once.
    await rest.patch(
      instancePath(ns.name, 'keep2'),
      { spec: { backup: { storage: storageName, retention: { maxCount: 2 } } } },
      'application/merge-patch+json',
    );
    const wf = await eventually('a retention-cleanup workflow for keep2', async () => {
      const items = await listWorkflows(rest, ns.name);
      return items.find((w) => w.metadata?.name?.startsWith('keep2-retention-'));
    });
    const p = taskParameters(wf, 'retention-cleanup');
    expect(p).toMatchObject({
      instance: 'keep2',
      'max-count': '2',
      storage: storageName,
      's3-endpoint': s3.endpoint,
      's3-bucket': BUCKET,
      's3-prefix': 'clusters/test',
      's3-force-path-style': 'true',
      's3-credentials-secret': `mwop-s3-${storageName}`,
    });

    // The step as the template runs it (src/workflows/templates/retention-cleanup.ts), as the
    // workflow's ServiceAccount (a real token: the apiserver applies its Role and nothing more).
    const sa = (wf.spec as { serviceAccountName?: string }).serviceAccountName!;
    expect(sa).toBe(WORKFLOW_SERVICE_ACCOUNT);
    const kubeconfig = await serviceAccountKubeconfig(rest, ns.name, sa, tmp);
    const asSa = new KubeRest(loadKubeConfig({ kubeconfig }));
    // It may not read what the old step read: the BackupStorage and the storage's own Secret.
    expect(await statusOfCall(asSa.get(storagePath(storageName)))).toBe(403);
    expect(
      await statusOfCall(
        asSa.get(resourcePath('v1', 'Secret', { namespace: ns.name, name: `${storageName}-keys` })),
      ),
    ).toBe(403);
    const template = (retentionCleanupTemplates().spec.templates ?? []).find(
      (t) => t.name === T.retentionCleanup.cleanup,
    )!;
    const step = await runTemplateStep(rest, template as never, p, ns.name, MW_BIN, [
      '--kubeconfig',
      kubeconfig,
    ]);
    expect(step.code, step.stderr).toBe(0);
    expect(step.stdout).toContain('deleted middlewarebackup.mwop.dev/keep2-a (maxCount)');
    expect(step.stdout).toContain('1 backup of keep2');
    await finishWorkflow(rest, wf, { phase: 'Succeeded' });

    await eventually('keep2-a gone', async () => {
      try {
        await getBackup('keep2-a');
        return undefined;
      } catch (err) {
        return isNotFound(err) ? true : undefined;
      }
    });
    expect((await getBackup('keep2-b')).status?.phase).toBe('Succeeded');
    expect((await getBackup('keep2-c')).status?.phase).toBe('Succeeded');
    const [a, b, c] = taken as [MiddlewareBackup, MiddlewareBackup, MiddlewareBackup];
    expect(await objectExists(a.status!.path!)).toBe(false);
    expect(await objectExists(a.status!.metadataPath!)).toBe(false);
    for (const kept of [b, c]) {
      expect(await objectExists(kept.status!.path!)).toBe(true);
      expect(await objectExists(kept.status!.metadataPath!)).toBe(true);
    }
  });

  it("victims in two storages: one step per storage, each deleting only its own storage's victims", async () => {
    await s3.createBucket(BUCKET2);
    storage2 = `s3b-${ns.name}`;
    await createStorage(rest, ns.name, storage2, s3, { bucket: BUCKET2 });
    await createRunning(rest, redisInstance(ns.name, 'multi'));
    // Oldest first: one in the second storage, then two in the first.
    const a = await takeBackup('multi-a', 'multi', storage2);
    const b = await takeBackup('multi-b', 'multi');
    const c = await takeBackup('multi-c', 'multi');
    await rest.patch(
      instancePath(ns.name, 'multi'),
      { spec: { backup: { storage: storageName, retention: { maxCount: 1 } } } },
      'application/merge-patch+json',
    );
    const wf = await eventually('a retention-cleanup workflow for multi', async () => {
      const items = await listWorkflows(rest, ns.name);
      return items.find((w) => w.metadata?.name?.startsWith('multi-retention-'));
    });
    const [first, second] = [storageName, storage2].sort() as [string, string];
    const p1 = taskParameters(wf, 'retention-cleanup');
    const p2 = taskParameters(wf, 'retention-cleanup-2');
    expect([p1.storage, p2.storage]).toEqual([first, second]);
    expect((first === storage2 ? p1 : p2)['s3-bucket']).toBe(BUCKET2);
    expect((first === storage2 ? p1 : p2)['s3-credentials-secret']).toBe(`mwop-s3-${storage2}`);

    const sa = (wf.spec as { serviceAccountName?: string }).serviceAccountName!;
    const kubeconfig = await serviceAccountKubeconfig(rest, ns.name, sa, tmp);
    const template = (retentionCleanupTemplates().spec.templates ?? []).find(
      (t) => t.name === T.retentionCleanup.cleanup,
    )!;
    const objectsIn = async (bucket: string, key: string) => {
      try {
        await s3Client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch (err) {
        if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
          return false;
        throw err;
      }
    };
    // The first storage's step deletes multi-b and leaves multi-a to the other step.
    const run1 = await runTemplateStep(rest, template as never, p1, ns.name, MW_BIN, [
      '--kubeconfig',
      kubeconfig,
    ]);
    expect(run1.code, run1.stderr).toBe(0);
    const mine1 = p1.storage === storageName ? 'multi-b' : 'multi-a';
    const other1 = mine1 === 'multi-b' ? 'multi-a' : 'multi-b';
    expect(run1.stdout).toContain(`deleted middlewarebackup.mwop.dev/${mine1} (maxCount)`);
    expect(run1.stdout).toContain(`skipped middlewarebackup.mwop.dev/${other1} (maxCount)`);
    expect(await statusOfCall(getBackup(mine1))).toBe(404);
    expect((await getBackup(other1)).status?.phase).toBe('Succeeded');
    // The second step deletes the rest.
    const run2 = await runTemplateStep(rest, template as never, p2, ns.name, MW_BIN, [
      '--kubeconfig',
      kubeconfig,
    ]);
    expect(run2.code, run2.stderr).toBe(0);
    expect(run2.stdout).toContain(`deleted middlewarebackup.mwop.dev/${other1} (maxCount)`);
    await finishWorkflow(rest, wf, { phase: 'Succeeded' });

    expect(await statusOfCall(getBackup('multi-a'))).toBe(404);
    expect(await statusOfCall(getBackup('multi-b'))).toBe(404);
    expect((await getBackup('multi-c')).status?.phase).toBe('Succeeded');
    expect(await objectsIn(BUCKET2, a.status!.path!)).toBe(false);
    expect(await objectsIn(BUCKET2, a.status!.metadataPath!)).toBe(false);
    expect(await objectsIn(BUCKET, b.status!.path!)).toBe(false);
    expect(await objectsIn(BUCKET, b.status!.metadataPath!)).toBe(false);
    expect(await objectsIn(BUCKET, c.status!.path!)).toBe(true);
    expect(await objectsIn(BUCKET, c.status!.metadataPath!)).toBe(true);
  });

  it('prune --dry-run lists without deleting; an empty --max-count and --max-age keep everything', async () => {
    const dry = await run(MW_BIN, [
      '--kubeconfig',
      testenv().kubeconfigs.admin,
      'backup',
      'prune',
      '--namespace',
      ns.name,
      '--instance',
      'keep2',
      '--max-count=1',
      '--max-age=',
      '--dry-run=true',
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('would delete middlewarebackup.mwop.dev/keep2-b (maxCount)');
    expect((await getBackup('keep2-b')).status?.phase).toBe('Succeeded');
    const none = await run(MW_BIN, [
      '--kubeconfig',
      testenv().kubeconfigs.admin,
      'backup',
      'prune',
      '--namespace',
      ns.name,
      '--instance',
      'keep2',
      '--max-count=',
      '--max-age=',
      '--dry-run=false',
    ]);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain('0 backups of keep2');
    const bad = await run(MW_BIN, [
      '--kubeconfig',
      testenv().kubeconfigs.admin,
      'backup',
      'prune',
      '--namespace',
      ns.name,
      '--instance',
      'keep2',
      '--max-count=-1',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--max-count: "-1"');
  });
});

describe('kubectl mw backup sync', () => {
  it('rebuilds deleted MiddlewareBackup CRs from the metadata files in S3', async () => {
    const before = await getBackup('cache-manual');
    await rest.delete(backupPath(ns.name, 'cache-manual'));
    await eventually('cache-manual deleted', async () => {
      try {
        await getBackup('cache-manual');
        return undefined;
      } catch (err) {
        return isNotFound(err) ? true : undefined;
      }
    });
    const sync = await run(MW_BIN, [
      '--kubeconfig',
      testenv().kubeconfigs.admin,
      '-n',
      ns.name,
      'backup',
      'sync',
      '--storage',
      storageName,
    ]);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toContain(`middlewarebackup.mwop.dev/cache-manual created in ${ns.name}`);
    expect(sync.stdout).toMatch(/1 created/);
    const rebuilt = await getBackup('cache-manual');
    expect(rebuilt.spec.instanceRef.name).toBe('cache');
    expect(rebuilt.status).toMatchObject({
      phase: 'Succeeded',
      sha256: before.status!.sha256,
      size: before.status!.size,
      path: before.status!.path,
      metadataPath: before.status!.metadataPath,
    });
    // The operator leaves a synced Succeeded backup alone; a second sync creates nothing.
    const again = await run(MW_BIN, [
      '--kubeconfig',
      testenv().kubeconfigs.admin,
      '-n',
      ns.name,
      'backup',
      'sync',
      '--storage',
      storageName,
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/0 created/);
    expect((await getBackup('cache-manual')).status?.phase).toBe('Succeeded');
  });
});

describe('in-place restore (MiddlewareOperation Restore)', () => {
  const operationPath = (name?: string) =>
    resourcePath(API, 'MiddlewareOperation', name ? { namespace: ns.name, name } : { namespace: ns.name });
  const restoreOp = (name: string) => ({
    apiVersion: API,
    kind: 'MiddlewareOperation',
    metadata: { name, namespace: ns.name },
    spec: { instanceRef: { name: 'cache' }, type: 'Restore', restore: { backup: 'cache-manual' } },
  });
  const opPhase = (name: string, phase: string) =>
    eventually(`operation ${name} ${phase}`, async () => {
      const op = await rest.get<{ status?: { phase?: string; message?: string } }>(operationPath(name));
      return op.status?.phase === phase ? op : undefined;
    });

  it('takes the safety backup as a MiddlewareBackup CR of its own, Succeeded from its step, that a later restore can roll back to', async () => {
    await redis.client().set('before-restore', 'the data the restore replaces');
    await rest.post(operationPath(), restoreOp('rollback-1'));

    // The CR exists before the step runs, labelled, and follows the restore workflow's step.
    const running = await backupPhase(rest, ns.name, 'rollback-1-safety', 'Running');
    expect(running.metadata.labels).toMatchObject({
      'mwop.dev/safety-backup': 'true',
      'mwop.dev/instance': 'cache',
      'mwop.dev/operation': 'rollback-1',
    });
    expect(running.spec).toMatchObject({ instanceRef: { name: 'cache' }, storage: storageName });
    expect(running.status).toMatchObject({ workflow: 'rollback-1', storage: storageName, type: 'redis' });
    const wf = await getWorkflow(rest, ns.name, 'rollback-1');
    expect(taskParameters(wf, 'safety-backup')).toMatchObject({
      backup: 'rollback-1-safety',
      's3-bucket': BUCKET,
      's3-credentials-secret': `mwop-s3-${storageName}`,
    });

    // The restore workflow's safety step runs the real tool; Argo marks the step done mid-run.
    const tool = await runBackupTool(
      rest,
      wf,
      { port: redis.port, password: redis.password },
      'safety-backup',
    );
    expect(tool.code, tool.stderr).toBe(0);
    await setTaskPhases(rest, wf, { 'safety-backup': 'Succeeded' });
    const done = await backupPhase(rest, ns.name, 'rollback-1-safety', 'Succeeded');
    const key = `clusters/test/${ns.name}/cache/rollback-1-safety/metadata.json`;
    const meta = parseMetadata(JSON.parse(await getText(s3Client, BUCKET, key)), key);
    expect(done.status).toMatchObject({
      metadataPath: key,
      path: key.replace(/metadata\.json$/, meta.dataFile),
      sha256: meta.sha256,
      size: meta.size,
    });
    expect(await objectExists(done.status!.path!)).toBe(true);
    // No backup workflow of its own: the restore workflow's step was the run.
    const names = (await listWorkflows(rest, ns.name)).map((w) => w.metadata?.name);
    expect(names).toContain('rollback-1');
    expect(names).not.toContain('rollback-1-safety-backup');

    await finishWorkflow(rest, wf, { phase: 'Succeeded' });
    await opPhase('rollback-1', 'Succeeded');
    expect((await getBackup('rollback-1-safety')).status?.phase).toBe('Succeeded');

    // Rolling back: an operation restoring the safety backup is planned like any other restore.
    await rest.post(operationPath(), {
      ...restoreOp('rollback-undo'),
      spec: {
        instanceRef: { name: 'cache' },
        type: 'Restore',
        restore: { backup: 'rollback-1-safety', skipSafetyBackup: true },
      },
    });
    const undo = await getWorkflow(rest, ns.name, 'rollback-undo');
    expect(taskParameters(undo, 'restore')).toMatchObject({ 'metadata-key': key });
    await finishWorkflow(rest, undo, { phase: 'Succeeded' });
    await opPhase('rollback-undo', 'Succeeded');
  });

  it('a restore that fails at its safety step leaves the safety backup Failed with the step and reason', async () => {
    await rest.post(operationPath(), restoreOp('rollback-2'));
    await backupPhase(rest, ns.name, 'rollback-2-safety', 'Running');
    const wf = await getWorkflow(rest, ns.name, 'rollback-2');
    await finishWorkflow(rest, wf, {
      phase: 'Failed',
      failAt: 'safety-backup',
      message: 'redis-cli: Connection refused',
    });
    const failed = await backupPhase(rest, ns.name, 'rollback-2-safety', 'Failed');
    expect(failed.status?.message).toBe('step safety-backup: redis-cli: Connection refused');
    await opPhase('rollback-2', 'Failed');
  });
});

describe('restore into a new instance', () => {
  async function restoreWorkflow(name: string) {
    return eventually(`a restore workflow for ${name}`, async () => {
      const items = await listWorkflows(
        rest,
        ns.name,
        `mwop.dev/instance=${name},mwop.dev/operation=restore`,
      );
      return items[0];
    });
  }

  it('spec.restoreFrom.backup: Create first, then a Restore workflow reading that backup; phase Restoring', async () => {
    const source = await getBackup('cache-manual');
    await createRunning(rest, redisInstance(ns.name, 'copy', { restoreFrom: { backup: 'cache-manual' } }));
    const wf = await restoreWorkflow('copy');
    await instancePhase(rest, ns.name, 'copy', 'Restoring');
    const params = taskParameters(wf, 'restore');
    expect(params).toMatchObject({
      'metadata-key': source.status!.metadataPath,
      's3-bucket': BUCKET,
      's3-endpoint': s3.endpoint,
      's3-credentials-secret': `mwop-s3-${storageName}`,
    });
    const copy = await rest.get<MiddlewareInstance>(instancePath(ns.name, 'copy'));
    expect(copy.spec).toMatchObject({ type: 'redis', restoreFrom: { backup: 'cache-manual' } });
    await finishWorkflow(rest, wf, { phase: 'Succeeded' });
    await instancePhase(rest, ns.name, 'copy', 'Running');
  });

  it('spec.restoreFrom.s3: a backup found only in S3, by storage and metadata key', async () => {
    const key = (await getBackup('cache-manual')).status!.metadataPath!;
    await createRunning(
      rest,
      redisInstance(ns.name, 'from-s3', { restoreFrom: { s3: { storage: storageName, path: key } } }),
    );
    const wf = await restoreWorkflow('from-s3');
    await instancePhase(rest, ns.name, 'from-s3', 'Restoring');
    expect(taskParameters(wf, 'restore')).toMatchObject({ 'metadata-key': key, 's3-bucket': BUCKET });
    await finishWorkflow(rest, wf, { phase: 'Succeeded' });
    await instancePhase(rest, ns.name, 'from-s3', 'Running');
  });
});

describe('bad inputs get clear errors', () => {
  it('an unknown storage: Failed naming spec.storage, the value and the storages that exist', async () => {
    await rest.post(backupPath(ns.name), backupObj('to-nowhere', 'cache', { storage: 'no-such-storage' }));
    const failed = await backupPhase(rest, ns.name, 'to-nowhere', 'Failed');
    expect(failed.status?.message).toContain('spec.storage: no BackupStorage "no-such-storage"');
    expect(failed.status?.message).toContain(storageName);
  });

  it('a backup of a nonexistent instance: Failed naming spec.instanceRef.name', async () => {
    await rest.post(backupPath(ns.name), backupObj('orphan', 'ghost'));
    const failed = await backupPhase(rest, ns.name, 'orphan', 'Failed');
    expect(failed.status?.message).toBe(
      `spec.instanceRef.name: no MiddlewareInstance "ghost" in namespace ${ns.name}`,
    );
  });

  it('a negative retention is rejected by the CRD schema', async () => {
    const err = await rest
      .post(
        instancePath(ns.name),
        redisInstance(ns.name, 'neg', { backup: { storage: storageName, retention: { maxCount: -1 } } }),
      )
      .then(
        () => undefined,
        (e: { statusCode?: number; message?: string }) => e,
      );
    expect(err?.statusCode).toBe(422);
    const message = err?.message ?? '';
    expect(message).toContain('spec.backup.retention.maxCount');
  });

  it('an invalid cron expression: an InvalidSchedule event naming spec.backup.schedule and the value', async () => {
    const created = await rest
      .post(
        instancePath(ns.name),
        redisInstance(ns.name, 'badcron', { backup: { storage: storageName, schedule: 'every tuesday' } }),
      )
      .then(
        () => undefined,
        (err: Error) => err,
      );
    if (created) {
      // Rejected at admission instead: the message must still name the field and value.
      expect(created.message).toContain('spec.backup.schedule');
      return;
    }
    const event = await eventually('InvalidSchedule event for badcron', async () => {
      const list = await rest.get<{
        items: { reason?: string; message?: string; involvedObject?: { name?: string } }[];
      }>(`/api/v1/namespaces/${ns.name}/events`);
      return list.items.find((e) => e.reason === 'InvalidSchedule' && e.involvedObject?.name === 'badcron');
    });
    expect(event.message).toContain('spec.backup.schedule');
    expect(event.message).toContain('every tuesday');
  });

  it('a restore from a backup of another type: a RestoreFailed event and the SpecApplied condition naming spec.restoreFrom.backup, and no restore workflow', async () => {
    // A MySQL instance restored from a Redis backup.
    const mysql: MiddlewareInstance = {
      apiVersion: API,
      kind: 'MiddlewareInstance',
      metadata: { name: 'wrongtype', namespace: ns.name },
      spec: {
        type: 'mysql',
        pluginVersion: 'v1',
        middlewareVersion: '8.0.43',
        replicas: 1,
        storage: { size: '1Gi' },
        restoreFrom: { backup: 'cache-manual' },
      },
    };
    await createRunning(rest, mysql);
    const event = await eventually('a RestoreFailed event for wrongtype', async () => {
      const list = await rest.get<{
        items: { reason?: string; message?: string; involvedObject?: { name?: string } }[];
      }>(`/api/v1/namespaces/${ns.name}/events`);
      return list.items.find((e) => e.reason === 'RestoreFailed' && e.involvedObject?.name === 'wrongtype');
    });
    expect(event.message).toBe(
      'spec.restoreFrom.backup: backup cache-manual is of type redis, but this instance is mysql',
    );
    // In status too: the SpecApplied condition and the instance message say why.
    const inStatus = await eventually('the planning error in wrongtype status', async () => {
      const i = await rest.get<MiddlewareInstance>(instancePath(ns.name, 'wrongtype'));
      const c = i.status?.conditions?.find((x) => x.type === 'SpecApplied');
      return c?.reason === 'RestorePlanningFailed' ? { i, c } : undefined;
    });
    expect(inStatus.c).toMatchObject({
      status: 'False',
      message:
        'Restore cannot start: spec.restoreFrom.backup: backup cache-manual is of type redis, but this instance is mysql',
    });
    expect(inStatus.i.status?.message).toBe(inStatus.c.message);
    const restores = await listWorkflows(
      rest,
      ns.name,
      'mwop.dev/instance=wrongtype,mwop.dev/operation=restore',
    );
    expect(restores).toEqual([]);
  });

  it('an in-place restore from a backup of another type: the MiddlewareOperation is Failed with reason PlanningFailed naming spec.restore.backup', async () => {
    await rest.post(resourcePath(API, 'MiddlewareOperation', { namespace: ns.name }), {
      apiVersion: API,
      kind: 'MiddlewareOperation',
      metadata: { name: 'wrong-restore', namespace: ns.name },
      spec: { instanceRef: { name: 'wrongtype' }, type: 'Restore', restore: { backup: 'cache-manual' } },
    });
    const op = await eventually('wrong-restore Failed', async () => {
      const o = await rest.get<{
        status?: { phase?: string; message?: string; conditions?: { type: string; reason: string }[] };
      }>(resourcePath(API, 'MiddlewareOperation', { namespace: ns.name, name: 'wrong-restore' }));
      return o.status?.phase === 'Failed' ? o : undefined;
    });
    expect(op.status?.message).toBe(
      'spec.restore.backup: backup cache-manual is of type redis, but this instance is mysql',
    );
    expect(op.status?.conditions?.find((c) => c.type === 'Complete')).toMatchObject({
      status: 'True',
      reason: 'PlanningFailed',
    });
    // Nothing ran: no workflow and no safety backup.
    expect((await listWorkflows(rest, ns.name)).map((w) => w.metadata?.name)).not.toContain('wrong-restore');
    expect(await statusOfCall(getBackup('wrong-restore-safety'))).toBe(404);
  });
});
