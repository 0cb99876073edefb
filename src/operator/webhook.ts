// The admission webhook as part of the operator process. Every replica serves it; it needs no
// leadership, only the MiddlewareType cache. Certificates come from one of two places:
// - --webhook-cert-dir: tls.crt and tls.key written by cert-manager into a mounted Secret. The
//   directory is watched (and re-read every minute, as a fallback for missed events), and a new
//   pair is swapped into the running server.
// - otherwise the operator's own CA (src/webhook/certs.ts), renewed when a third of its lifetime is
//   left. With --webhook-config-name, the pair lives in a Secret in the operator's namespace, so
//   every replica serves the same one, and the caBundle of that ValidatingWebhookConfiguration is
//   kept current (old and new CA together while replicas switch over).
import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { V1Secret, V1ValidatingWebhookConfiguration } from '@kubernetes/client-node';
import { isConflict, isNotFound } from '../kube/errors.ts';
import type { KubeRest } from '../kube/rest.ts';
import { type RunningTypeRegistry, startTypeRegistry } from '../plugins/informer.ts';
import { generateServingCert, needsRenewal, type ServingCert } from '../webhook/certs.ts';
import { startWebhookServer, type WebhookServer } from '../webhook/server.ts';
import type { OperatorContext } from './context.ts';
import { detectIntegrations } from './integrations.ts';
import { admissionValidators } from './webhook-deps.ts';

export const WEBHOOK_SERVICE = 'mwop-webhook';
export const SELF_SIGNED_SECRET = 'mwop-webhook-selfsigned';
const VALIDITY_DAYS = 365;
const MERGE = 'application/merge-patch+json';

export interface RunningWebhook {
  port: number;
  /** The CA that signed the certificate being served (self-signed mode), for a caBundle. */
  caPem(): string | undefined;
  /** Re-reads or renews the certificate now; what the timers do. */
  refresh(): Promise<void>;
  stop(): Promise<void>;
}

interface CertSource {
  initial(): Promise<{ certPem: string; keyPem: string; caPem?: string }>;
  /** A new pair when it changed, else undefined. */
  next(): Promise<{ certPem: string; keyPem: string; caPem?: string } | undefined>;
  close(): void;
}

/** cert-manager's files: re-read on change; a half-written pair is ignored until it is whole. */
function fileSource(dir: string, onChange: () => void, warn: (msg: string) => void): CertSource {
  let last = '';
  let watcher: FSWatcher | undefined;
  let debounce: NodeJS.Timeout | undefined;
  const read = () => {
    const certPem = readFileSync(join(dir, 'tls.crt'), 'utf8');
    const keyPem = readFileSync(join(dir, 'tls.key'), 'utf8');
    createSecureContext({ cert: certPem, key: keyPem }); // throws on a mismatched pair
    return { certPem, keyPem };
  };
  return {
    async initial() {
      let pair: { certPem: string; keyPem: string };
      try {
        pair = read();
      } catch (err) {
        throw new Error(
          `--webhook-cert-dir: cannot serve ${dir}/tls.crt and tls.key: ${(err as Error).message}; accepted: a directory with a PEM certificate and its key (a cert-manager Secret mount)`,
        );
      }
      last = pair.certPem + pair.keyPem;
      // Kubernetes swaps a Secret mount through a ..data symlink: watch the directory itself.
      watcher = watch(dir, () => {
        clearTimeout(debounce);
        debounce = setTimeout(onChange, 200);
      });
      watcher.on('error', (err) => warn(`watching ${dir}: ${err.message}; relying on the periodic re-read`));
      return pair;
    },
    async next() {
      let pair: { certPem: string; keyPem: string };
      try {
        pair = read();
      } catch (err) {
        warn(`${dir}: ${(err as Error).message}; still serving the previous certificate`);
        return undefined;
      }
      if (pair.certPem + pair.keyPem === last) return undefined;
      last = pair.certPem + pair.keyPem;
      return pair;
    },
    close() {
      clearTimeout(debounce);
      watcher?.close();
    },
  };
}

function dnsNames(namespace: string): string[] {
  return [
    `${WEBHOOK_SERVICE}.${namespace}.svc`,
    `${WEBHOOK_SERVICE}.${namespace}.svc.cluster.local`,
    'localhost',
  ];
}

const generate = (namespace: string) =>
  generateServingCert({
    dnsNames: dnsNames(namespace),
    ipAddresses: ['127.0.0.1'],
    validityDays: VALIDITY_DAYS,
  });

/** The operator's own CA, held in memory: one process (tests, `make dev`). */
function memorySource(namespace: string): CertSource {
  let cert: ServingCert | undefined;
  return {
    async initial() {
      cert = await generate(namespace);
      return cert;
    },
    async next() {
      if (cert && !needsRenewal(cert.notAfter, VALIDITY_DAYS, new Date())) return undefined;
      cert = await generate(namespace);
      return cert;
    },
    close() {},
  };
}

/**
 * The operator's own CA, shared by every replica through a Secret. Whoever first finds it missing
 * or due for renewal writes a new one; the resourceVersion precondition makes a second writer
 * lose and read the winner's pair instead.
 */
function secretSource(rest: KubeRest, namespace: string): CertSource {
  const path = `/api/v1/namespaces/${namespace}/secrets/${SELF_SIGNED_SECRET}`;
  let served = '';
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');
  const pairOf = (s: V1Secret) => ({
    certPem: unb64(s.data?.['tls.crt']),
    keyPem: unb64(s.data?.['tls.key']),
    caPem: unb64(s.data?.['ca.crt']),
    notAfter: new Date(unb64(s.data?.notAfter)),
  });
  const current = async () => {
    let secret: V1Secret | undefined;
    try {
      secret = await rest.get<V1Secret>(path);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (secret?.data?.['tls.crt']) {
      const pair = pairOf(secret);
      if (!Number.isNaN(pair.notAfter.getTime()) && !needsRenewal(pair.notAfter, VALIDITY_DAYS, new Date()))
        return pair;
    }
    const fresh = await generate(namespace);
    const data = {
      'tls.crt': b64(fresh.certPem),
      'tls.key': b64(fresh.keyPem),
      'ca.crt': b64(fresh.caPem),
      notAfter: b64(fresh.notAfter.toISOString()),
    };
    try {
      if (secret) {
        await rest.patch(
          path,
          { metadata: { resourceVersion: secret.metadata?.resourceVersion }, data },
          MERGE,
        );
      } else {
        await rest.post(`/api/v1/namespaces/${namespace}/secrets`, {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: SELF_SIGNED_SECRET, namespace, labels: { 'app.kubernetes.io/name': 'mwop' } },
          type: 'kubernetes.io/tls',
          data,
        });
      }
      return fresh;
    } catch (err) {
      if (!isConflict(err)) throw err;
      return pairOf(await rest.get<V1Secret>(path)); // another replica won the race
    }
  };
  return {
    async initial() {
      const pair = await current();
      served = pair.certPem;
      return pair;
    },
    async next() {
      const pair = await current();
      if (pair.certPem === served) return undefined;
      served = pair.certPem;
      return pair;
    },
    close() {},
  };
}

/**
 * Puts `caPems` into every webhook of the configuration; a no-op when it is already there. Replicas
 * race to do this after a renewal: a conflict means another replica wrote first, so re-read and
 * check again.
 */
export async function patchCaBundle(rest: KubeRest, configName: string, caPems: string[]): Promise<boolean> {
  const path = `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${configName}`;
  const bundle = Buffer.from(caPems.join('')).toString('base64');
  for (let attempt = 1; ; attempt++) {
    const vwc = await rest.get<V1ValidatingWebhookConfiguration>(path);
    const hooks = vwc.webhooks ?? [];
    if (hooks.every((h) => h.clientConfig.caBundle === bundle)) return false;
    try {
      await rest.patch(
        path,
        {
          metadata: { resourceVersion: vwc.metadata?.resourceVersion },
          webhooks: hooks.map((h) => ({ ...h, clientConfig: { ...h.clientConfig, caBundle: bundle } })),
        },
        MERGE,
      );
      return true;
    } catch (err) {
      if (!isConflict(err) || attempt >= 10) throw err;
    }
  }
}

export async function startOperatorWebhook(
  ctx: OperatorContext,
  opts: { host?: string; refreshMs?: number } = {},
): Promise<RunningWebhook> {
  const { config, rest, log } = ctx;
  const namespace = config.leaseNamespace;
  let server: WebhookServer | undefined;
  let caPem: string | undefined;
  let previousCa: string | undefined;
  let types: RunningTypeRegistry | undefined;
  const warn = (msg: string) => log.warn({}, `webhook certificate: ${msg}`);

  const syncCaBundle = async () => {
    if (!config.webhookConfigName || !caPem) return;
    const pems = previousCa && previousCa !== caPem ? [caPem, previousCa] : [caPem];
    if (await patchCaBundle(rest, config.webhookConfigName, pems))
      log.info({ config: config.webhookConfigName }, 'webhook caBundle updated');
  };
  let refreshing: Promise<void> | undefined;
  const refresh = () => {
    refreshing ??= (async () => {
      try {
        const pair = await source.next();
        if (pair && server) {
          server.rotate(pair);
          if (pair.caPem) {
            previousCa = caPem;
            caPem = pair.caPem;
          }
          log.info({}, 'webhook serving certificate reloaded without a restart');
        }
        await syncCaBundle();
      } catch (err) {
        warn(`refresh failed: ${(err as Error).message}; still serving the previous certificate`);
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  };
  const source: CertSource = config.webhookCertDir
    ? fileSource(config.webhookCertDir, () => void refresh(), warn)
    : config.webhookConfigName
      ? secretSource(rest, namespace)
      : memorySource(namespace);

  try {
    types = await startTypeRegistry(rest, {
      onError: (err, where) =>
        log.warn({ err: (err as Error).message, where }, 'MiddlewareType informer error'),
    });
    const integrations = await detectIntegrations(rest);
    const pair = await source.initial();
    caPem = pair.caPem;
    server = await startWebhookServer({
      port: config.webhookPort,
      ...(opts.host ? { host: opts.host } : {}),
      cert: pair,
      validators: admissionValidators(rest, types.registry, { certManager: integrations.certManager }),
      log,
      registry: ctx.registry,
    });
    await syncCaBundle();
  } catch (err) {
    source.close();
    await server?.close();
    await types?.stop();
    throw err;
  }
  const timer = setInterval(
    () => void refresh(),
    opts.refreshMs ?? (config.webhookCertDir ? 60_000 : 600_000),
  );
  timer.unref();
  log.info(
    {
      port: server.port,
      certificates:
        config.webhookCertDir ??
        (config.webhookConfigName ? `secret ${namespace}/${SELF_SIGNED_SECRET}` : 'in memory'),
    },
    'admission webhook serving',
  );
  const running = server;
  return {
    port: running.port,
    caPem: () => caPem,
    refresh,
    async stop() {
      clearInterval(timer);
      source.close();
      await running.close();
      await types?.stop();
    },
  };
}
