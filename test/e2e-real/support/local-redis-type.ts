// The test-only redis MiddlewareType of the real node (docs/real-node.md): the shipped plugin
// (deploy/plugins/redis.yaml: hooks, workload, CUE schema, config templates, presets) with its
// versions mapped to the images built on this machine by hack/testenv/node/images.sh, since
// nothing can be pulled here. The shipped plugins keep their upstream images.
//
// It keeps the name `redis`: the hook agent picks its driver from the type name (src/agent/config.ts),
// and the real-node cluster installs this type instead of the shipped one. The one middleware
// version is the one Debian packages (7.0.x), read from the image's label, not a version the shipped
// plugin lists. Pure.
import type { MiddlewareType } from '../../../src/api/index.ts';

export const TEST_ONLY_LABEL = 'mwop.dev/test-only';

/**
 * A version whose image is deliberately never built: the failure scenario (a member whose image is
 * missing) creates an instance of it and expects the kubelet's pull error in the instance's status.
 */
export const MISSING_IMAGE_VERSION = { version: '7.0.0', image: 'mwop.local/redis:never-built' };

export interface LocalRedisImages {
  /** mwop.local/redis:<major.minor>-debian12 */
  redis: string;
  /** The redis-server version in that image, e.g. 7.0.15. */
  redisVersion: string;
  agent: string;
  backup: string;
}

export function localRedisType(shipped: MiddlewareType, images: LocalRedisImages): MiddlewareType {
  if (shipped.metadata?.name !== 'redis')
    throw new Error(`localRedisType: got MiddlewareType ${shipped.metadata?.name}, want the shipped redis`);
  const v1 = shipped.spec.versions.find((v) => v.pluginVersion === 'v1');
  if (!v1) throw new Error('localRedisType: the shipped redis type has no pluginVersion v1');
  const t = structuredClone(shipped);
  t.metadata = {
    name: 'redis',
    labels: { ...(shipped.metadata.labels ?? {}), [TEST_ONLY_LABEL]: 'true' },
  };
  t.spec.description = `TEST ONLY (real node, images built locally by hack/testenv/node/images.sh): ${shipped.spec.description ?? ''}`;
  t.spec.versions = [
    {
      ...structuredClone(v1),
      supportedVersions: [
        { version: images.redisVersion, image: images.redis, agentImage: images.agent, default: true },
        { ...MISSING_IMAGE_VERSION, agentImage: images.agent },
      ],
      ...(v1.backupConfig
        ? { backupConfig: { ...structuredClone(v1.backupConfig), image: images.backup } }
        : {}),
    },
  ];
  return t;
}
