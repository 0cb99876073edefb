// A Redis-like type and instance for the render tests, built in code so each test can vary one field.
import type { MiddlewareInstance, MiddlewareType, MiddlewareTypeVersion } from '../../../src/api/index.ts';
import type { RenderedConfig } from '../../../src/config/types.ts';
import type { ResolvedPlugin } from '../../../src/plugins/types.ts';

export function typeVersion(over: Partial<MiddlewareTypeVersion> = {}): MiddlewareTypeVersion {
  return {
    pluginVersion: 'v1',
    supportedVersions: [
      {
        version: '7.2.11',
        image: 'docker.io/library/redis:7.2.11',
        agentImage: 'ghcr.io/mwop/agent:0.1.0',
        default: true,
      },
    ],
    workload: {
      ports: [{ name: 'redis', port: 6379 }],
      command: ['redis-server', '/etc/redis/redis.conf'],
      env: [{ name: 'REDIS_EXTRA', value: 'x' }],
      dataMountPath: '/data',
      configMountPath: '/etc/redis',
      passwordEnv: 'REDIS_PASSWORD',
    },
    lifecycleHooks: { port: 8080, health: { path: '/health' } },
    scalingRules: { minReplicas: 1, maxReplicas: 6 },
    backupConfig: {
      image: 'ghcr.io/mwop/backup:0.1.0',
      command: ['mwop-backup'],
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    },
    securityContext: {
      runAsUser: 999,
      runAsGroup: 999,
      fsGroup: 999,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilitiesDrop: ['ALL'],
      seccompProfile: 'RuntimeDefault',
      sysctls: { 'net.core.somaxconn': '1024' },
    },
    presets: [
      {
        name: 'small',
        default: true,
        resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
        storageSize: '2Gi',
      },
      {
        name: 'large',
        resources: { requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '4', memory: '8Gi' } },
        storageSize: '50Gi',
      },
    ],
    connection: { scheme: 'redis', username: 'default' },
    ...over,
  };
}

export function plugin(over: Partial<MiddlewareTypeVersion> = {}, hookPort = 8080): ResolvedPlugin {
  const version = typeVersion(over);
  const type: MiddlewareType = {
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareType',
    metadata: { name: 'redis' },
    spec: { versions: [version] },
  };
  return { typeName: 'redis', type, version, middleware: version.supportedVersions[0]!, hookPort };
}

export function instance(spec: Partial<MiddlewareInstance['spec']> = {}): MiddlewareInstance {
  return {
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareInstance',
    metadata: { name: 'cache', namespace: 'team-a', uid: 'uid-1234', generation: 1 },
    spec: { type: 'redis', pluginVersion: 'v1', replicas: 3, storage: { size: '10Gi' }, ...spec },
  };
}

export const config: RenderedConfig = {
  values: { maxmemory: '256mb' },
  files: { 'redis.conf': 'maxmemory 256mb\n' },
  checksum: 'sha256:abc123',
};
