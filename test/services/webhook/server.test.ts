import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log/logger.ts';
import { deny } from '../../../src/webhook/admission.ts';
import { generateServingCert, needsRenewal, type ServingCert } from '../../../src/webhook/certs.ts';
import { startWebhookServer, type WebhookServer } from '../../../src/webhook/server.ts';

function post(
  port: number,
  ca: string,
  body: unknown,
): Promise<{ status: number; json: any; peerCert: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/validate',
        method: 'POST',
        ca,
        agent: false,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(chunks).toString()),
            peerCert: peer.fingerprint256,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const review = (kind: string, object: unknown = {}) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: `uid-${kind}`,
    kind: { group: 'mwop.dev', version: 'v1alpha1', kind },
    operation: 'CREATE',
    object,
  },
});

describe('webhook server over real TLS', () => {
  let cert: ServingCert;
  let server: WebhookServer;
  const registry = new Registry();

  beforeAll(async () => {
    cert = await generateServingCert({
      dnsNames: ['mwop-webhook.mwop-system.svc'],
      ipAddresses: ['127.0.0.1'],
    });
    server = await startWebhookServer({
      port: 0,
      host: '127.0.0.1',
      cert,
      log: createLogger({ level: 'silent' }),
      registry,
      deadlineMs: 200,
      validators: {
        Good: () => ({ allowed: true }),
        Bad: () => deny(['spec.replicas: must be >= 1 (got 0)']),
        Crash: () => {
          throw new Error('boom');
        },
        Hang: () => new Promise(() => {}),
      },
    });
  });
  afterAll(async () => server.close());

  it('serves a certificate for the service name and 127.0.0.1, signed by the returned CA', () => {
    const leaf = new X509Certificate(cert.certPem);
    expect(leaf.verify(new X509Certificate(cert.caPem).publicKey)).toBe(true);
    expect(leaf.subjectAltName).toContain('DNS:mwop-webhook.mwop-system.svc');
    expect(leaf.subjectAltName).toContain('IP Address:127.0.0.1');
  });

  it('allows and denies with the AdmissionReview v1 shape', async () => {
    const ok = await post(server.port, cert.caPem, review('Good'));
    expect(ok.json.response).toEqual({ uid: 'uid-Good', allowed: true });
    const bad = await post(server.port, cert.caPem, review('Bad'));
    expect(bad.json.response).toEqual({
      uid: 'uid-Bad',
      allowed: false,
      status: { code: 422, reason: 'Invalid', message: 'spec.replicas: must be >= 1 (got 0)' },
    });
  });

  it('never crashes or hangs: a throwing validator and a hanging one both get an answer', async () => {
    const crash = await post(server.port, cert.caPem, review('Crash'));
    expect(crash.json.response.status.message).toBe('mwop webhook: internal error: boom');
    const hang = await post(server.port, cert.caPem, review('Hang'));
    expect(hang.json.response.status).toMatchObject({ code: 504 });
  });

  it('rejects a body that is not an AdmissionReview', async () => {
    const res = await post(server.port, cert.caPem, { hello: 'world' });
    expect(res.status).toBe(400);
  });

  it('rotates the serving certificate without a restart', async () => {
    const before = await post(server.port, cert.caPem, review('Good'));
    const next = await generateServingCert({
      dnsNames: ['mwop-webhook.mwop-system.svc'],
      ipAddresses: ['127.0.0.1'],
    });
    server.rotate(next);
    const after = await post(server.port, next.caPem, review('Good'));
    expect(after.json.response.allowed).toBe(true);
    expect(after.peerCert).not.toBe(before.peerCert);
    await expect(post(server.port, cert.caPem, review('Good'))).rejects.toThrow();
  });

  it('records latency per kind', async () => {
    const text = await registry.metrics();
    expect(text).toMatch(/mwop_webhook_duration_seconds_count\{kind="Good",allowed="true"\} [1-9]/);
  });

  it('renews when a third of the lifetime is left', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(needsRenewal(new Date('2026-12-01T00:00:00Z'), 365, now)).toBe(false);
    expect(needsRenewal(new Date('2026-03-01T00:00:00Z'), 365, now)).toBe(true);
  });
});
