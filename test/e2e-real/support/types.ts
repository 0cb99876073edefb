// The MiddlewareTypes a real-node cluster installs (e2e-real and `make dev-real`): the test-only
// redis on the images built on this machine, from the shipped deploy/plugins/redis.yaml.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { repoRoot } from '../../../hack/dev/install.ts';
import type { LocalImages } from '../../../hack/testenv/node/real-cluster.ts';
import type { MiddlewareType } from '../../../src/api/index.ts';
import { localRedisType } from './local-redis-type.ts';

export function realNodeTypes(images: LocalImages): KubernetesObject[] {
  const shipped = parse(readFileSync(join(repoRoot, 'deploy/plugins/redis.yaml'), 'utf8')) as MiddlewareType;
  return [localRedisType(shipped, images) as unknown as KubernetesObject];
}
