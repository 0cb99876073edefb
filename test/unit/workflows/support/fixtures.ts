// A Redis-like plugin that declares every hook, and one that declares none, resolved as the
// registry would hand them to planners.
import type { MiddlewareInstance, MiddlewareType, MiddlewareTypeVersion } from '../../../../src/api/index.ts';
import type { ResolvedPlugin } from '../../../../src/plugins/types.ts';

const allHooks = {
  port: 8080,
  health: { path: '/health', method: 'GET' as const, timeoutSeconds: 5 },
  role: { path: '/role', method: 'GET' as const },
  init: { path: '/init' },
  preUpgrade: { path: '/pre-upgrade', timeoutSeconds: 30 },
  postUpgrade: { path: '/post-upgrade' },
  preScaleIn: { path: '/pre-scale-in', timeoutSeconds: 120 },
  postScaleOut: { path: '/post-scale-out', timeoutSeconds: 300 },
  switchover: { path: '/switchover' },
  failover: { path: '/failover' },
  reloadConfig: { path: '/reload-config' },
};

export function version(overrides: Partial<MiddlewareTypeVersion> = {}): MiddlewareTypeVersion {
  return {
    pluginVersion: 'v1',
    supportedVersions: [
      { version: '7.2.11', image: 'docker.io/library/redis:7.2.11', default: true },
      { version: '7.4.2', image: 'docker.io/library/redis:7.4.2' },
    ],
    workload: {
      ports: [{ name: 'redis', port: 6379 }],
      dataMountPath: '/data',
      configMountPath: '/etc/redis',
    },
    lifecycleHooks: allHooks,
    scalingRules: { minReplicas: 1, maxReplicas: 5 },
    backupConfig: {
      image: 'ghcr.io/mwop/operator:0.1.0',
      command: ['node', 'src/backup/tools/main.ts', 'backup', '--type', 'redis'],
      restoreCommand: [
        'node',
        'src/backup/tools/main.ts',
        'restore',
        '--type',
        'redis',
        '--data-dir',
        '/restore-target',
      ],
      resources: { limits: { cpu: '1', memory: '512Mi' } },
      timeoutSeconds: 1800,
    },
    restartKeys: ['maxmemory-policy', 'databases'],
    connection: { scheme: 'redis', username: 'default' },
    ...overrides,
  };
}

export function plugin(v: MiddlewareTypeVersion = version(), typeName = 'redis'): ResolvedPlugin {
  const type: MiddlewareType = {
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareType',
    metadata: { name: typeName },
    spec: { versions: [v] },
  } as MiddlewareType;
  const middleware = v.supportedVersions.find((s) => s.default) ?? v.supportedVersions[0];
  if (!middleware) throw new Error('fixture version has no supported versions');
  return { typeName, type, version: v, middleware, hookPort: v.lifecycleHooks?.port ?? 8080 };
}

export const noHooks = (): ResolvedPlugin => plugin(version({ lifecycleHooks: { port: 8080 } }), 'tiny');

export function instance(
  replicas = 3,
  overrides: Partial<MiddlewareInstance['spec']> = {},
  appliedReplicas = replicas,
): MiddlewareInstance {
  return {
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareInstance',
    metadata: {
      name: 'cache',
      namespace: 'team-a',
      uid: '6f1c6c1e-8a4b-4f59-9a51-2d0c6c1b7e11',
      generation: 4,
    },
    spec: { type: 'redis', pluginVersion: 'v1', replicas, storage: { size: '10Gi' }, ...overrides },
    status: {
      applied: {
        replicas: appliedReplicas,
        pluginVersion: 'v1',
        middlewareVersion: '7.2.11',
        storageSize: '10Gi',
      },
    },
  } as MiddlewareInstance;
}

export const storage = {
  storage: {
    endpoint: 'http://s3.backup.svc:9000',
    bucket: 'mwop-backups',
    forcePathStyle: true,
    credentialsSecretRef: { namespace: 'mwop-system', name: 's3-keys' },
  },
  credentialsSecret: 'mwop-s3-credentials',
};
