// The apiserver calls admission webhooks at https://127.0.0.1:<port> with a caBundle, as the
// operator's webhook server will be called in the tests: nothing in the testenv blocks loopback.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdmissionregistrationV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clients,
  eventually,
  kubeConfig,
  rejectionStatus,
  statusOf,
  useNamespace,
} from '../support/cluster.ts';

const ns = useNamespace('webhook');
const name = `deny-labelled-${ns.name}`;
let server: Server;
let dir: string;
let calls = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mwop-webhook-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'tls.key',
      '-out',
      'tls.crt',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  server = createServer(
    { key: readFileSync(join(dir, 'tls.key')), cert: readFileSync(join(dir, 'tls.crt')) },
    (req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        calls++;
        const review = JSON.parse(body) as {
          request: { uid: string; object: { metadata: { labels?: Record<string, string> } } };
        };
        const deny = review.request.object.metadata.labels?.['mwop.dev/deny'] === 'yes';
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            apiVersion: 'admission.k8s.io/v1',
            kind: 'AdmissionReview',
            response: {
              uid: review.request.uid,
              allowed: !deny,
              ...(deny ? { status: { code: 403, message: 'denied by the loopback test webhook' } } : {}),
            },
          }),
        );
      });
    },
  );
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as AddressInfo).port;
  await kubeConfig('admin')
    .makeApiClient(AdmissionregistrationV1Api)
    .createValidatingWebhookConfiguration({
      body: {
        metadata: { name },
        webhooks: [
          {
            name: 'deny.loopback.mwop.dev',
            admissionReviewVersions: ['v1'],
            sideEffects: 'None',
            failurePolicy: 'Fail',
            clientConfig: {
              url: `https://127.0.0.1:${port}/validate`,
              caBundle: readFileSync(join(dir, 'tls.crt')).toString('base64'),
            },
            // Only this file's namespace: other test files run against the same apiserver.
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns.name } },
            rules: [
              { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] },
            ],
          },
        ],
      },
    });
});

afterAll(async () => {
  // Also after a failed beforeAll: remove what exists, so the real failure is the one reported.
  await kubeConfig('admin')
    .makeApiClient(AdmissionregistrationV1Api)
    .deleteValidatingWebhookConfiguration({ name })
    .catch((err: unknown) => {
      if (statusOf(err) !== 404) throw err;
    });
  if (server) await new Promise((res) => server.close(res));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('admission webhooks on 127.0.0.1', () => {
  it('are called with the caBundle and their verdict is enforced', async () => {
    const { core } = clients('admin');
    // The apiserver starts calling a new webhook once its informer has the configuration; until
    // then a denied ConfigMap is still created (generateName keeps those attempts apart).
    const rejected = await eventually('the webhook denies a labelled ConfigMap', () =>
      rejectionStatus(
        core.createNamespacedConfigMap({
          namespace: ns.name,
          body: { metadata: { generateName: 'denied-', labels: { 'mwop.dev/deny': 'yes' } } },
        }),
      ),
    );
    expect(rejected.status).toBe(403);
    expect(rejected.message).toContain('denied by the loopback test webhook');

    const before = calls;
    await core.createNamespacedConfigMap({ namespace: ns.name, body: { metadata: { name: 'allowed' } } });
    expect(calls).toBe(before + 1);
  });
});
