// What an e2e-real file needs: its namespace with the operator running for it (mwop itself is
// installed once by the global setup, with the test-only redis type), the local images, and real
// Redis clients: redis-cli on this host, through the Service's ClusterIP (kube-proxy) or a pod IP.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { V1Pod, V1Secret, V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, inject } from 'vitest';
import type { LocalImages } from '../../../hack/testenv/node/real-cluster.ts';
import type { MiddlewareInstance } from '../../../src/api/index.ts';
import { resourcePath } from '../../../src/kube/gvr.ts';
import type { RunningOperator } from '../../../src/operator/run.ts';
import type { E2eNamespace } from '../../e2e/support/e2e.ts';
import { redisInstance } from '../../integration/backup/support.ts';
import { useNamespace } from '../../integration/support/cluster.ts';
import { adminRest } from '../../integration/support/install.ts';
import { startOperator } from '../../integration/support/operator.ts';

const run = promisify(execFile);

export function localImages(): LocalImages {
  const images = inject('localImages');
  if (!images) throw new Error('no local images: run this file in the vitest "e2e-real" project');
  return images;
}

/** A namespace for this file and the real operator for it. */
export function realNamespace(prefix: string): E2eNamespace {
  const ns = useNamespace(prefix);
  const rest = adminRest();
  let operator: RunningOperator | undefined;
  beforeAll(async () => {
    operator = await startOperator(ns.name);
  });
  afterAll(async () => {
    await operator?.shutdown('test file done');
  });
  return { name: ns.name, rest };
}

/** A one-member Redis of the test-only type (the backup tests' builder), at the local image's version. */
export function localRedis(ns: string, name: string, spec: Partial<MiddlewareInstance['spec']> = {}) {
  return redisInstance(ns, name, { middlewareVersion: localImages().redisVersion, ...spec });
}

export interface RedisEndpoint {
  host: string;
  port: number;
  password: string;
}

/** The client Service's ClusterIP and the generated password, from the instance's status. */
export async function clientEndpoint(ns: E2eNamespace, inst: MiddlewareInstance): Promise<RedisEndpoint> {
  const conn = inst.status?.connection;
  if (!conn) throw new Error(`${ns.name}/${inst.metadata.name}: no status.connection`);
  const svcName = conn.host.split('.')[0]!;
  const svc = await ns.rest.get<V1Service>(
    resourcePath('v1', 'Service', { namespace: ns.name, name: svcName }),
  );
  const secret = await ns.rest.get<V1Secret>(
    resourcePath('v1', 'Secret', { namespace: ns.name, name: conn.secretName }),
  );
  const password = Buffer.from(secret.data?.password ?? '', 'base64').toString('utf8');
  if (!svc.spec?.clusterIP || !password)
    throw new Error(`${ns.name}/${svcName}: no ClusterIP or no password in Secret ${conn.secretName}`);
  return { host: svc.spec.clusterIP, port: conn.port, password };
}

export async function podIP(ns: E2eNamespace, pod: string): Promise<string> {
  const p = await ns.rest.get<V1Pod>(resourcePath('v1', 'Pod', { namespace: ns.name, name: pod }));
  if (!p.status?.podIP) throw new Error(`${ns.name}/${pod}: no pod IP`);
  return p.status.podIP;
}

/** redis-cli on this host against a real redis-server in a pod; returns its trimmed output. */
export async function redisCli(at: RedisEndpoint, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('redis-cli', ['-h', at.host, '-p', String(at.port), '--no-raw', ...args], {
      env: { ...process.env, REDISCLI_AUTH: at.password },
      timeout: 15_000,
    });
    return stdout.trim();
  } catch (err) {
    // redis-cli exits 1 on an error reply (READONLY, ...): that reply is the answer.
    const out = (err as { stdout?: string }).stdout?.trim();
    if (out) return out;
    throw err;
  }
}
