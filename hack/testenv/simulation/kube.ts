// The simulator's small surface over the API: list by path, merge-patch, create, and kubectl run
// as a ServiceAccount (the identity a workflow pod's argoexec would have).
import { execFile } from 'node:child_process';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeRest } from '../../../src/kube/rest.ts';

export interface Obj {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
    ownerReferences?: unknown[];
  };
  // biome-ignore lint/suspicious/noExplicitAny: objects of many kinds, read defensively
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: objects of many kinds, read defensively
  status?: any;
}

export interface SimKube {
  rest: KubeRest;
  kubeconfig: string;
  kubectl: string;
  list(path: string, labelSelector?: string): Promise<Obj[]>;
  get(path: string): Promise<Obj | undefined>;
  mergePatch(path: string, patch: unknown): Promise<void>;
  create(path: string, obj: unknown): Promise<void>;
  /**
   * A kubeconfig and REST client holding a TokenRequest token of the ServiceAccount, for what a pod
   * does itself (argoexec's task results and task-set answers, mwop's tools run on the host): its
   * RBAC applies, nothing more.
   */
  as(namespace: string, serviceAccount: string): Promise<{ config: KubeConfig; rest: KubeRest }>;
  /** kubectl as system:serviceaccount:<ns>:<sa>; resolves with stdout, rejects with stderr. */
  kubectlAs(namespace: string, serviceAccount: string, args: string[], stdin?: string): Promise<string>;
}

export function connect(kubeconfig: string, kubectl: string): SimKube {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const rest = new KubeRest(kc);
  const tokens = new Map<string, { config: KubeConfig; rest: KubeRest; until: number }>();
  return {
    async as(namespace, serviceAccount) {
      // Keyed by the ServiceAccount's uid: a token of a deleted and re-created account is refused.
      const account = await rest.get<{ metadata: { uid: string } }>(
        `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}`,
      );
      const key = `${namespace}/${serviceAccount}/${account.metadata.uid}`;
      const cached = tokens.get(key);
      if (cached && cached.until > Date.now()) return cached;
      const res = await rest.post<{ status: { token: string } }>(
        `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`,
        { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
      );
      const cluster = kc.getCurrentCluster();
      if (!cluster) throw new Error(`${kubeconfig} has no current cluster`);
      const config = new KubeConfig();
      config.loadFromOptions({
        clusters: [cluster],
        users: [{ name: key, token: res.status.token }],
        contexts: [{ name: key, cluster: cluster.name, user: key, namespace }],
        currentContext: key,
      });
      const entry = { config, rest: new KubeRest(config), until: Date.now() + 50 * 60_000 };
      tokens.set(key, entry);
      return entry;
    },
    rest,
    kubeconfig,
    kubectl,
    async list(path, labelSelector) {
      const res = await rest.get<{ items: Obj[] }>(path, { query: { labelSelector } });
      return res.items;
    },
    async get(path) {
      try {
        return await rest.get<Obj>(path);
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return undefined;
        throw err;
      }
    },
    async mergePatch(path, patch) {
      await rest.patch(path, patch, 'application/merge-patch+json');
    },
    async create(path, obj) {
      await rest.post(path, obj);
    },
    kubectlAs(namespace, serviceAccount, args, stdin) {
      const full = [
        '--kubeconfig',
        kubeconfig,
        '--as',
        `system:serviceaccount:${namespace}:${serviceAccount}`,
        '--as-group',
        'system:serviceaccounts',
        '--as-group',
        `system:serviceaccounts:${namespace}`,
        '--as-group',
        'system:authenticated',
        '-n',
        namespace,
        ...args,
      ];
      return new Promise((resolve, reject) => {
        const child = execFile(kubectl, full, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
          if (err) reject(new Error(stderr.trim() || err.message));
          else resolve(stdout);
        });
        if (stdin !== undefined) child.stdin?.end(stdin);
      });
    },
  };
}
