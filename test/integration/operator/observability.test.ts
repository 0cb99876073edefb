// One operator process (node src/main.ts) with a notifications file, driven through create,
// scale, upgrade, backup, restore and delete (the test plays Argo and the kubelet). Then: the
// /metrics series and probes, the audit lines, no secret in logs, Events or status, and the
// notifications at two local receivers, one that answers 500 once per event, one that never answers.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MiddlewareBackup, MiddlewareInstance } from '../../../src/api/index.ts';
import { mergePatch } from '../../../src/kube/apply.ts';
import { isNotFound } from '../../../src/kube/errors.ts';
import { resourcePath } from '../../../src/kube/gvr.ts';
import { eventually, useNamespace } from '../support/cluster.ts';
import { finishWorkflow, listWorkflows, type WorkflowObj, workflowPath } from '../support/fake-argo.ts';
import { podsReady } from '../support/fake-kubelet.ts';
import { adminRest, installMwop } from '../support/install.ts';
import {
  auditLines,
  killAll,
  type OperatorProcess,
  releaseInstances,
  sample,
  spawnOperator,
} from './process.ts';

const ns = useNamespace('observe');
const rest = adminRest();
const API = 'mwop.dev/v1alpha1';
let operator: OperatorProcess;
let storageName: string;
const S3_SECRET = `s3-secret-${Math.random().toString(36).slice(2)}-do-not-log`;

interface Received {
  id: string;
  type: string;
  subject: string;
  body: string;
  answered: number;
}
/** Answers 500 the first time it sees a CloudEvent id, 200 after. */
const flaky: Received[] = [];
/** Never answers; the requests stay open until the notifier gives up on them. */
const hung: Received[] = [];
const servers: Server[] = [];

function receiver(
  into: Received[],
  answer: (r: Received, res: ServerResponse<IncomingMessage>) => void,
): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (d: string) => {
        body += d;
      });
      req.on('end', () => {
        const ev = JSON.parse(body) as { id: string; type: string; subject: string };
        const r: Received = { id: ev.id, type: ev.type, subject: ev.subject, body, answered: 0 };
        into.push(r);
        answer(r, res);
      });
    });
    servers.push(s);
    s.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port));
  });
}

const instancePath = (name?: string) =>
  resourcePath(
    'mwop.dev/v1alpha1',
    'MiddlewareInstance',
    name ? { namespace: ns.name, name } : { namespace: ns.name },
  );
const getInstance = (name: string) => rest.get<MiddlewareInstance>(instancePath(name));

function redis(name: string, spec: Partial<MiddlewareInstance['spec']> = {}): MiddlewareInstance {
  return {
    apiVersion: API,
    kind: 'MiddlewareInstance',
    metadata: { name, namespace: ns.name },
    spec: {
      type: 'redis',
      pluginVersion: 'v1',
      middlewareVersion: '7.2.11',
      replicas: 1,
      storage: { size: '1Gi' },
      config: { preset: 'small' },
      ...spec,
    },
  };
}

/** Plays the workflow step that sizes the StatefulSet, and the kubelet that makes pods ready. */
async function membersUp(name: string, count: number): Promise<void> {
  const sts = resourcePath('apps/v1', 'StatefulSet', { namespace: ns.name, name });
  await eventually(`StatefulSet ${name}`, () => rest.get(sts), PATIENT);
  await rest.patch(sts, { spec: { replicas: count } }, 'application/merge-patch+json');
  await podsReady(rest, ns.name, name, count);
}

/** Patient: the machine these run on is shared and often loaded. */
const PATIENT = { attempts: 3000 };

async function workflowOf(instance: string, slug: string): Promise<WorkflowObj> {
  return eventually(
    `a ${slug} workflow for ${instance}`,
    async () =>
      (await listWorkflows(rest, ns.name, `mwop.dev/instance=${instance},mwop.dev/operation=${slug}`)).find(
        (w) => !w.status?.phase,
      ),
    PATIENT,
  );
}

async function settled(name: string, check: (i: MiddlewareInstance) => boolean, what: string) {
  return eventually(
    `${name}: ${what}`,
    async () => {
      const i = await getInstance(name);
      return check(i) ? i : undefined;
    },
    PATIENT,
  );
}

function firstTask(wf: WorkflowObj): string {
  const entry = wf.spec.templates?.find((t) => t.name === (wf.spec.entrypoint ?? 'main'));
  const task = entry?.dag?.tasks[0]?.name;
  if (!task) throw new Error(`workflow ${wf.metadata?.name} has no DAG tasks`);
  return task;
}

async function metrics(): Promise<string> {
  const r = await operator.get('/metrics', operator.metricsPort);
  expect(r.status).toBe(200);
  return r.body;
}

/** An AdmissionReview POSTed straight to the operator's webhook port (self-signed TLS). */
function admissionReview(port: number, object: unknown): Promise<{ allowed: boolean }> {
  const body = JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'observability-test',
      kind: { group: 'mwop.dev', version: 'v1alpha1', kind: 'MiddlewareInstance' },
      resource: { group: 'mwop.dev', version: 'v1alpha1', resource: 'middlewareinstances' },
      operation: 'CREATE',
      namespace: ns.name,
      name: 'via-webhook',
      userInfo: { username: 'test' },
      object,
    },
  });
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/validate',
        method: 'POST',
        rejectUnauthorized: false,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => {
          try {
            resolve((JSON.parse(text) as { response: { allowed: boolean } }).response);
          } catch (err) {
            reject(new Error(`webhook answered ${res.statusCode}: ${text} (${String(err)})`));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  await installMwop();
  const flakyPort = await receiver(flaky, (r, res) => {
    const first = flaky.filter((x) => x.id === r.id).length === 1;
    r.answered = first ? 500 : 200;
    res.writeHead(r.answered).end();
  });
  const hungPort = await receiver(hung, () => {});
  const dir = mkdtempSync(join(tmpdir(), 'mwop-notify-'));
  const config = join(dir, 'notifications.yaml');
  writeFileSync(
    config,
    [
      'receivers:',
      '  - name: flaky',
      `    url: http://127.0.0.1:${flakyPort}/events`,
      `    namespaces: [${ns.name}]`,
      '    timeoutSeconds: 5',
      '    maxRetries: 3',
      '  - name: hung',
      `    url: http://127.0.0.1:${hungPort}/events`,
      '    events: [operation.started]',
      '    timeoutSeconds: 2',
      '    maxRetries: 0',
      '',
    ].join('\n'),
  );
  operator = await spawnOperator({
    namespace: ns.name,
    identity: 'observer-a',
    leaseName: 'mwop-observe-test',
    // One replica needs no election (the leader test covers it); under a loaded machine a missed
    // renewal would otherwise end the process, as it must in production.
    extra: ['--notifications-config', config, '--leader-elect', 'false'],
  });
  // Storage for the backup and the restore; its endpoint is never reached (the test plays Argo).
  storageName = `bs-${ns.name}`;
  await rest.post(resourcePath('v1', 'Secret', { namespace: ns.name }), {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's3-keys', namespace: ns.name },
    stringData: { accessKeyId: 'test-access-key', secretAccessKey: S3_SECRET },
  });
  await rest.post(resourcePath(API, 'BackupStorage'), {
    apiVersion: API,
    kind: 'BackupStorage',
    metadata: { name: storageName },
    spec: {
      endpoint: 'http://127.0.0.1:9',
      bucket: 'never-reached',
      region: 'us-east-1',
      forcePathStyle: true,
      credentialsSecretRef: { namespace: ns.name, name: 's3-keys' },
    },
  });
}, 300_000);

afterAll(async () => {
  await killAll([operator]);
  await releaseInstances(rest, ns.name);
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  if (storageName) {
    await rest.delete(resourcePath(API, 'BackupStorage', { name: storageName })).catch(() => {});
  }
});

describe('the operator process: metrics, audit, secrets and notifications', () => {
  let password = '';

  it('runs create, scale, upgrade, backup, restore and delete to their ends', async () => {
    // Create
    await rest.post(instancePath(), redis('cache'));
    await membersUp('cache', 1);
    await finishWorkflow(rest, await workflowOf('cache', 'create'), { phase: 'Succeeded' });
    await settled('cache', (i) => i.status?.phase === 'Running', 'Running');
    const secret = await rest.get<{ data: Record<string, string> }>(
      resourcePath('v1', 'Secret', { namespace: ns.name, name: 'cache-credentials' }),
    );
    password = Buffer.from(secret.data.password ?? '', 'base64').toString();
    expect(password.length).toBeGreaterThanOrEqual(20);

    // Scale
    await mergePatch(rest, await getInstance('cache'), { spec: { replicas: 2 } });
    const scale = await workflowOf('cache', 'scale-out');
    await membersUp('cache', 2);
    await finishWorkflow(rest, scale, { phase: 'Succeeded' });
    await settled(
      'cache',
      (i) => i.status?.applied?.replicas === 2 && i.status.phase === 'Running',
      'scaled to 2',
    );

    // Upgrade, refused by its pre-check
    await mergePatch(rest, await getInstance('cache'), {
      spec: { pluginVersion: 'v2', middlewareVersion: '7.4.6' },
    });
    const upgrade = await workflowOf('cache', 'upgrade');
    await finishWorkflow(rest, upgrade, {
      phase: 'Failed',
      failAt: 'pre-upgrade',
      message: 'refused by pre-check',
    });
    await settled(
      'cache',
      (i) => i.status?.operations?.recent?.[0]?.type === 'Upgrade' && !i.status.operations.current,
      'upgrade finished',
    );

    // Backup, failing in its first step
    await rest.post(resourcePath(API, 'MiddlewareBackup', { namespace: ns.name }), {
      apiVersion: API,
      kind: 'MiddlewareBackup',
      metadata: { name: 'nightly', namespace: ns.name },
      spec: { instanceRef: { name: 'cache' }, storage: storageName },
    });
    const backupWf = await eventually(
      'the backup workflow',
      () => rest.get<WorkflowObj>(workflowPath(ns.name, 'nightly-backup')),
      PATIENT,
    );
    await finishWorkflow(rest, backupWf, {
      phase: 'Failed',
      failAt: firstTask(backupWf),
      message: 'no space left',
    });
    await eventually('backup Failed', async () => {
      const b = await rest.get<MiddlewareBackup>(
        resourcePath(API, 'MiddlewareBackup', { namespace: ns.name, name: 'nightly' }),
      );
      return b.status?.phase === 'Failed' ? b : undefined;
    });

    // Restore: an instance created from a backup found in S3 runs Create, then Restore
    await rest.post(
      instancePath(),
      redis('restored', { restoreFrom: { s3: { storage: storageName, path: 'old/cache/metadata.json' } } }),
    );
    await membersUp('restored', 1);
    await finishWorkflow(rest, await workflowOf('restored', 'create'), {
      phase: 'Succeeded',
    });
    await finishWorkflow(rest, await workflowOf('restored', 'restore'), {
      phase: 'Succeeded',
    });
    await settled(
      'restored',
      (i) => i.status?.operations?.recent?.[0]?.type === 'Restore' && i.status.phase === 'Running',
      'restored and Running',
    );

    // The webhook is served by every replica; one review gives its latency histogram a sample.
    const verdict = await admissionReview(operator.webhookPort, redis('via-webhook'));
    expect(typeof verdict.allowed).toBe('boolean');
  }, 900_000);

  it('/metrics has the controller-runtime series and mwop instances, operations and backups; probes answer', async () => {
    expect(await operator.get('/healthz')).toEqual({ status: 200, body: 'ok' });
    expect(await operator.get('/readyz')).toEqual({ status: 200, body: 'ok' });
    const text = await eventually('mwop_operations_total for the restore', async () => {
      const t = await metrics();
      return sample(t, 'mwop_operations_total', { type: 'Restore', result: 'Succeeded' }) === 1
        ? t
        : undefined;
    });
    expect(
      sample(text, 'controller_runtime_reconcile_total', { controller: 'middlewareinstance' }) ?? 0,
    ).toBeGreaterThan(0);
    expect(sample(text, 'controller_runtime_reconcile_time_seconds_count')).toBeGreaterThan(0);
    expect(sample(text, 'workqueue_depth')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'mwop_instances', { type: 'redis', phase: 'Running' })).toBe(2);
    expect(sample(text, 'mwop_operations_total', { type: 'Create', result: 'Succeeded' })).toBe(2);
    expect(sample(text, 'mwop_operations_total', { type: 'ScaleOut', result: 'Succeeded' })).toBe(1);
    expect(sample(text, 'mwop_operations_total', { type: 'Upgrade', result: 'Failed' })).toBe(1);
    expect(sample(text, 'mwop_operations_started_total', { type: 'Upgrade' })).toBe(1);
    expect(sample(text, 'mwop_backups_total', { result: 'Failed' })).toBe(1);
    // No backup succeeded, so no size was observed.
    expect(sample(text, 'mwop_backup_size_bytes_count')).toBe(0);
    expect(sample(text, 'mwop_webhook_duration_seconds_count', { kind: 'MiddlewareInstance' })).toBe(1);
  });

  it('delete is audited, and the audit lines cover every kind of operation', async () => {
    await rest.delete(instancePath('cache'));
    await eventually('cache gone', async () => {
      try {
        await getInstance('cache');
        return undefined;
      } catch (err) {
        return isNotFound(err) ? true : undefined;
      }
    });
    const lines = await eventually('the Delete audit line', async () => {
      const a = auditLines(operator);
      return a.some((l) => l.action === 'Delete' && l.name === 'cache') ? a : undefined;
    });
    const seen = (action: string, name: string, result: string) =>
      lines.some(
        (l) => l.action === action && l.name === name && l.namespace === ns.name && l.result === result,
      );
    expect(seen('Create', 'cache', 'started')).toBe(true);
    expect(seen('Create', 'cache', 'Succeeded')).toBe(true);
    expect(seen('ScaleOut', 'cache', 'Succeeded')).toBe(true);
    expect(seen('Upgrade', 'cache', 'started')).toBe(true);
    expect(seen('Upgrade', 'cache', 'Failed')).toBe(true);
    expect(seen('Backup', 'cache', 'started')).toBe(true);
    expect(seen('Backup', 'cache', 'Failed')).toBe(true);
    expect(seen('Restore', 'restored', 'started')).toBe(true);
    expect(seen('Restore', 'restored', 'Succeeded')).toBe(true);
    expect(seen('Delete', 'cache', 'finalized')).toBe(true);
    for (const l of lines) expect(l.kind).toBe('MiddlewareInstance');
    const text = await metrics();
    expect(sample(text, 'mwop_instances', { type: 'redis', phase: 'Running' })).toBe(1);
  });

  it('no secret appears in the logs, the Events, the status or the notifications', async () => {
    const restored = await rest.get<{ data: Record<string, string> }>(
      resourcePath('v1', 'Secret', { namespace: ns.name, name: 'restored-credentials' }),
    );
    const secrets = [password, Buffer.from(restored.data.password ?? '', 'base64').toString(), S3_SECRET];
    for (const s of secrets) expect(s.length).toBeGreaterThanOrEqual(20);
    // Base64 too: a Secret's data as the API returns it.
    const needles = secrets.flatMap((s) => [s, Buffer.from(s).toString('base64')]);

    const output = operator.stdout() + operator.stderr();
    expect(output.length).toBeGreaterThan(10_000); // debug level: the process said a lot
    const events = await rest.get<{ items: unknown[] }>(
      resourcePath('events.k8s.io/v1', 'Event', { namespace: ns.name }),
    );
    const coreEvents = await rest.get<{ items: unknown[] }>(
      resourcePath('v1', 'Event', { namespace: ns.name }),
    );
    expect(events.items.length).toBeGreaterThan(0);
    const statuses = await Promise.all([
      rest.get<MiddlewareInstance>(instancePath('restored')),
      rest.get(resourcePath(API, 'MiddlewareBackup', { namespace: ns.name, name: 'nightly' })),
    ]);
    const places: Record<string, string> = {
      'operator stdout and stderr': output,
      'events.k8s.io Events': JSON.stringify(events.items),
      'core Events': JSON.stringify(coreEvents.items),
      'instance and backup status': JSON.stringify(statuses.map((o) => (o as { status?: unknown }).status)),
      notifications: [...flaky, ...hung].map((r) => r.body).join('\n'),
    };
    for (const [where, text] of Object.entries(places)) {
      for (const needle of needles) {
        if (text.includes(needle)) throw new Error(`a secret value appears in ${where}`);
      }
    }
  });

  it('notifications reach the receiver, are retried after a 500, and a hung receiver blocks nothing', async () => {
    const types = () => new Set(flaky.filter((r) => r.answered === 200).map((r) => r.type));
    await eventually('every kind of event delivered to the flaky receiver', async () => {
      const t = types();
      return [
        'dev.mwop.operation.started',
        'dev.mwop.operation.succeeded',
        'dev.mwop.operation.failed',
        'dev.mwop.backup.started',
        'dev.mwop.backup.failed',
      ].every((x) => t.has(x))
        ? true
        : undefined;
    });
    // Each event was refused once with a 500 and delivered on a retry, with the same id.
    const createStarted = flaky.filter(
      (r) =>
        r.type === 'dev.mwop.operation.started' &&
        r.subject === `namespaces/${ns.name}/middlewareinstances/cache` &&
        JSON.parse(r.body).data.operation === 'Create',
    );
    expect(createStarted.map((r) => r.answered)).toEqual([500, 200]);
    expect(new Set(createStarted.map((r) => r.id)).size).toBe(1);
    const upgradeFailed = flaky.find((r) => r.type === 'dev.mwop.operation.failed' && r.answered === 200)!;
    expect(JSON.parse(upgradeFailed.body).data).toMatchObject({ operation: 'Upgrade', instance: 'cache' });

    // The hung receiver got the started events and answered none of them; meanwhile every
    // operation above ran to its end and the other receiver got its events.
    expect(hung.length).toBeGreaterThanOrEqual(4);
    expect(hung.every((r) => r.answered === 0)).toBe(true);
    expect(new Set(hung.map((r) => r.type))).toEqual(new Set(['dev.mwop.operation.started']));
    const text = await eventually('timeouts counted', async () => {
      const t = await metrics();
      return (sample(t, 'mwop_notification_attempts_total', { outcome: 'timeout' }) ?? 0) >= 1
        ? t
        : undefined;
    });
    expect(sample(text, 'mwop_notification_attempts_total', { outcome: 'http_5xx' })).toBeGreaterThanOrEqual(
      5,
    );
    expect(sample(text, 'mwop_notifications_total', { result: 'delivered' })).toBeGreaterThanOrEqual(5);
  });
});
