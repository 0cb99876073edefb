// A Redis-like MiddlewareType with two plugin versions, for the CLI's pure planning tests.
import type { MiddlewareInstance, MiddlewareType, MiddlewareTypeVersion } from '../../../src/api/index.ts';

export const REDIS_CUE = `package redis

#Config: {
	maxmemory: =~"^[0-9]+(mb|gb)$" | *"256mb"
	"maxmemory-policy": *"allkeys-lru" | "noeviction" | "volatile-lru"
	appendonly: *"no" | "yes"
	save?: string
	tls: {
		"auth-clients": *"no" | "yes" | "optional"
	}
}
`;

function version(pluginVersion: string, over: Partial<MiddlewareTypeVersion> = {}): MiddlewareTypeVersion {
  return {
    pluginVersion,
    supportedVersions: [
      { version: '7.2.7', image: 'docker.io/library/redis:7.2.7' },
      { version: '7.2.11', image: 'docker.io/library/redis:7.2.11', default: true },
    ],
    workload: {
      ports: [{ name: 'redis', port: 6379 }],
      dataMountPath: '/data',
      configMountPath: '/etc/redis',
    },
    scalingRules: { minReplicas: 1, maxReplicas: 6 },
    lifecycleHooks: { switchover: { path: '/switchover' } },
    configTemplate: REDIS_CUE,
    presets: [
      { name: 'medium', config: { maxmemory: '1gb' }, storageSize: '10Gi' },
      {
        name: 'small',
        config: { maxmemory: '256mb', 'maxmemory-policy': 'allkeys-lru' },
        storageSize: '2Gi',
      },
      { name: 'large', config: { maxmemory: '4gb', latency: { 'monitor-threshold': 100 } }, default: true },
    ],
    connection: { scheme: 'redis', username: 'default' },
    ...over,
  };
}

export function redisType(extra: MiddlewareTypeVersion[] = []): MiddlewareType {
  return {
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareType',
    metadata: { name: 'redis' },
    spec: {
      displayName: 'Redis',
      versions: [
        version('v1'),
        version('v2', {
          upgradeFrom: ['v1'],
          supportedVersions: [
            { version: '7.2.11', image: 'docker.io/library/redis:7.2.11' },
            { version: '7.4.2', image: 'docker.io/library/redis:7.4.2', default: true },
          ],
        }),
        ...extra,
      ],
    },
  };
}

export { version as typeVersion };

export function instance(
  over: Partial<MiddlewareInstance['spec']> = {},
  status?: MiddlewareInstance['status'],
): MiddlewareInstance {
  return {
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareInstance',
    metadata: { name: 'cache', namespace: 'team-a', resourceVersion: '7', generation: 1 },
    spec: {
      type: 'redis',
      pluginVersion: 'v1',
      middlewareVersion: '7.2.11',
      replicas: 1,
      storage: { size: '2Gi' },
      config: { preset: 'small' },
      ...over,
    },
    ...(status ? { status } : {}),
  };
}
