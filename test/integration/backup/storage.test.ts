// BackupStorage status against a real S3 server (versitygw): the operator probes each storage and
// says Ready, or Unavailable with exactly what failed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupStorage } from '../../../src/api/index.ts';
import type { RunningOperator } from '../../../src/operator/run.ts';
import { freePort, type S3Server, startS3Server } from '../../support/s3-server.ts';
import { eventually, useNamespace } from '../support/cluster.ts';
import { adminRest, installMwop } from '../support/install.ts';
import { startOperator } from '../support/operator.ts';
import { createStorage, deleteStorage, storagePath } from './support.ts';

const ns = useNamespace('storage');
const rest = adminRest();
let s3: S3Server;
let operator: RunningOperator;
const created: string[] = [];

beforeAll(async () => {
  await installMwop();
  s3 = await startS3Server();
  await s3.createBucket('probe-ok');
  operator = await startOperator(ns.name);
}, 600_000);
afterAll(async () => {
  await operator?.shutdown('test done');
  for (const name of created) await deleteStorage(rest, name);
  await s3?.stop();
});

async function storage(suffix: string, opts: Parameters<typeof createStorage>[4]): Promise<string> {
  const name = `${ns.name}-${suffix}`;
  created.push(name);
  await createStorage(rest, ns.name, name, s3, opts);
  return name;
}

async function settled(name: string, phase: 'Ready' | 'Unavailable'): Promise<BackupStorage> {
  return eventually(`BackupStorage ${name} ${phase}`, async () => {
    const s = await rest.get<BackupStorage>(storagePath(name));
    return s.status?.phase === phase ? s : undefined;
  });
}

const available = (s: BackupStorage) => s.status?.conditions?.find((c) => c.type === 'Available');

describe('BackupStorage probe', () => {
  it('a reachable bucket with good credentials: Ready, Available=True', async () => {
    const name = await storage('ok', { bucket: 'probe-ok' });
    const s = await settled(name, 'Ready');
    expect(available(s)).toMatchObject({ status: 'True', reason: 'ProbeSucceeded' });
    expect(s.status?.lastProbeTime).toBeTruthy();
    expect(s.status?.observedGeneration).toBe(s.metadata.generation);
  });

  it('bad credentials: Unavailable, reason Auth', async () => {
    const name = await storage('badkey', { bucket: 'probe-ok', secretAccessKey: 'wrong-secret' });
    const s = await settled(name, 'Unavailable');
    expect(available(s)).toMatchObject({ status: 'False', reason: 'Auth' });
    expect(s.status?.message).toContain('rejected the credentials');
  });

  it('a missing bucket: Unavailable, reason NoSuchBucket, naming the bucket', async () => {
    const name = await storage('nobucket', { bucket: 'no-such-bucket' });
    const s = await settled(name, 'Unavailable');
    expect(available(s)).toMatchObject({ status: 'False', reason: 'NoSuchBucket' });
    expect(s.status?.message).toBe(
      `bucket no-such-bucket does not exist at ${s3.endpoint}; create it or fix spec.bucket`,
    );
  });

  it('a host that does not resolve: Unavailable, reason DNS', async () => {
    const name = await storage('nodns', { bucket: 'probe-ok', endpoint: 'http://s3.mwop-test.invalid:9000' });
    const s = await settled(name, 'Unavailable');
    expect(available(s)?.reason).toBe('DNS');
    expect(s.status?.message).toContain('s3.mwop-test.invalid');
  });

  it('https to a plain-http server: Unavailable, reason TLS', async () => {
    const name = await storage('tls', {
      bucket: 'probe-ok',
      endpoint: s3.endpoint.replace(/^http:/, 'https:'),
    });
    const s = await settled(name, 'Unavailable');
    expect(available(s)?.reason).toBe('TLS');
  });

  it('nothing listening: Unavailable, reason ConnectionRefused', async () => {
    const port = await freePort();
    const name = await storage('refused', { bucket: 'probe-ok', endpoint: `http://127.0.0.1:${port}` });
    const s = await settled(name, 'Unavailable');
    expect(available(s)?.reason).toBe('ConnectionRefused');
  });

  it('a credentials Secret that does not exist: Unavailable, reason CredentialsSecret, naming it', async () => {
    const name = `${ns.name}-nosecret`;
    created.push(name);
    await rest.post(storagePath(), {
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'BackupStorage',
      metadata: { name },
      spec: {
        endpoint: s3.endpoint,
        bucket: 'probe-ok',
        forcePathStyle: true,
        credentialsSecretRef: { namespace: ns.name, name: 'no-such-secret' },
      },
    });
    const s = await settled(name, 'Unavailable');
    expect(available(s)?.reason).toBe('CredentialsSecret');
    expect(s.status?.message).toBe(
      `spec.credentialsSecretRef: Secret ${ns.name}/no-such-secret does not exist`,
    );
  });

  it('a spec fix is probed at once: the missing bucket is corrected and the storage turns Ready', async () => {
    const name = `${ns.name}-nobucket`;
    await rest.patch(storagePath(name), { spec: { bucket: 'probe-ok' } }, 'application/merge-patch+json');
    const s = await settled(name, 'Ready');
    expect(available(s)?.status).toBe('True');
  });
});
