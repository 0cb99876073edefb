// Where the operator's webhook gets its certificate, against the real apiserver:
// - --webhook-cert-dir (cert-manager's mounted Secret): a new pair in the directory is served
//   without a restart;
// - its own CA shared by replicas through a Secret, with the caBundle of --webhook-config-name
//   kept current, also across a renewal (old and new CA both trusted while replicas switch).
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Secret, V1ValidatingWebhookConfiguration } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeRest } from '../../../src/kube/rest.ts';
import { createLogger } from '../../../src/log/logger.ts';
import { parseOperatorConfig } from '../../../src/operator/config.ts';
import type { OperatorContext } from '../../../src/operator/context.ts';
import { loadKubeConfig } from '../../../src/operator/kubeconfig.ts';
import {
  type RunningWebhook,
  SELF_SIGNED_SECRET,
  startOperatorWebhook,
} from '../../../src/operator/webhook.ts';
import { generateServingCert } from '../../../src/webhook/certs.ts';
import { eventually, testenv, useNamespace } from '../support/cluster.ts';
import { installMwop } from '../support/install.ts';

const ns = useNamespace('whk-certs');
const vwcPath = () =>
  `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/mwop-webhook-${ns.name}`;
let dir: string;
const running: RunningWebhook[] = [];
const admin = () => new KubeRest(loadKubeConfig({ kubeconfig: testenv().kubeconfigs.admin }));

function context(flags: string[]): OperatorContext {
  const parsed = parseOperatorConfig(
    [
      '--kubeconfig',
      testenv().kubeconfigs.admin,
      '--webhook-port',
      '0',
      '--lease-namespace',
      ns.name,
      ...flags,
    ],
    {},
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return {
    config: parsed.config,
    rest: admin(),
    log: createLogger({ level: process.env.MWOP_TEST_LOG ?? 'silent' }),
    registry: new Registry(),
    events: { record: () => {} } as never,
  };
}

/** The fingerprint of the certificate served, verified against `ca`. */
function fingerprint(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/validate', method: 'POST', ca, agent: false },
      (res) => {
        const fp = (res.socket as import('node:tls').TLSSocket).getPeerCertificate().fingerprint256;
        res.resume();
        res.on('end', () => resolve(fp));
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mwop-certs-'));
  // The webhook's type registry lists MiddlewareTypes: the CRDs must exist whatever file ran first.
  await installMwop();
}, 600_000);
afterAll(async () => {
  for (const w of running) await w.stop();
  await admin()
    .delete(vwcPath())
    .catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

describe('webhook certificates', () => {
  it('--webhook-cert-dir: serves the files and a replaced pair without a restart', async () => {
    const write = (c: { certPem: string; keyPem: string }) => {
      // As the kubelet updates a Secret mount: the new files appear at once (rename).
      writeFileSync(join(dir, 'tls.crt.new'), c.certPem);
      writeFileSync(join(dir, 'tls.key.new'), c.keyPem);
      renameSync(join(dir, 'tls.key.new'), join(dir, 'tls.key'));
      renameSync(join(dir, 'tls.crt.new'), join(dir, 'tls.crt'));
    };
    const first = await generateServingCert({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    write(first);
    const hook = await startOperatorWebhook(context(['--webhook-cert-dir', dir]));
    running.push(hook);
    const before = await fingerprint(hook.port, first.caPem);

    const second = await generateServingCert({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    write(second);
    const after = await eventually('the new pair is served', () =>
      fingerprint(hook.port, second.caPem).catch(() => undefined),
    );
    expect(after).not.toBe(before);
    await expect(fingerprint(hook.port, first.caPem)).rejects.toThrow();
  });

  it('own CA: replicas share it through a Secret, keep the caBundle current, and renew together', async () => {
    const rest = admin();
    await rest.post('/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: `mwop-webhook-${ns.name}` },
      webhooks: [
        {
          name: 'middlewareinstances.validate.mwop.dev',
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          failurePolicy: 'Ignore',
          clientConfig: { url: 'https://127.0.0.1:1/validate' },
          rules: [
            {
              apiGroups: ['mwop.dev'],
              apiVersions: ['v1alpha1'],
              operations: ['CREATE'],
              resources: ['middlewareinstances'],
            },
          ],
          // Matches no namespace: this configuration is only here to be patched.
          namespaceSelector: { matchLabels: { 'mwop.dev/never': 'true' } },
        },
      ],
    });
    const flags = ['--webhook-config-name', `mwop-webhook-${ns.name}`];
    const [a, b] = await Promise.all([
      startOperatorWebhook(context(flags)),
      startOperatorWebhook(context(flags)),
    ]);
    running.push(a!, b!);
    const ca = a!.caPem()!;
    expect(b!.caPem()).toBe(ca);
    expect(await fingerprint(a!.port, ca)).toBe(await fingerprint(b!.port, ca));
    const bundle = async () =>
      Buffer.from(
        (await rest.get<V1ValidatingWebhookConfiguration>(vwcPath())).webhooks?.[0]?.clientConfig.caBundle ??
          '',
        'base64',
      ).toString('utf8');
    expect(await bundle()).toBe(ca);

    // Renewal: the Secret's certificate is due (a third of its lifetime left).
    const secretPath = `/api/v1/namespaces/${ns.name}/secrets/${SELF_SIGNED_SECRET}`;
    await rest.patch(
      secretPath,
      { data: { notAfter: Buffer.from(new Date(Date.now() + 86_400_000).toISOString()).toString('base64') } },
      'application/merge-patch+json',
    );
    await a!.refresh();
    await b!.refresh();
    const renewed = a!.caPem()!;
    expect(renewed).not.toBe(ca);
    expect(b!.caPem()).toBe(renewed);
    const secret = await rest.get<V1Secret>(secretPath);
    expect(Buffer.from(secret.data?.['ca.crt'] ?? '', 'base64').toString('utf8')).toBe(renewed);
    expect(await fingerprint(a!.port, renewed)).toBe(await fingerprint(b!.port, renewed));
    // Both CAs are trusted while replicas switch over.
    expect(await bundle()).toBe(renewed + ca);
  });
});
