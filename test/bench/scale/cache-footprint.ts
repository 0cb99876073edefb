// How much heap 1,000 cached StatefulSets take, whole and slimmed (issue #13). Run with
//   node --expose-gc test/bench/scale/cache-footprint.ts [count]
// Renders each type's StatefulSet with the real renderer, adds a status like the controller
// manager's, round-trips it through JSON (as the informer receives it) and keeps `count` copies.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject, V1StatefulSet } from '@kubernetes/client-node';
import { parse } from 'yaml';
import type { MiddlewareInstance, MiddlewareType } from '../../../src/api/index.ts';
import { validateConfig } from '../../../src/config/index.ts';
import { slimStatefulSet } from '../../../src/operator/caches.ts';
import { TypeRegistry } from '../../../src/plugins/index.ts';
import { instanceRenderer } from '../../../src/render/index.ts';

const count = Number(process.argv[2] ?? 1000);
const root = join(import.meta.dirname, '../../..');
const types = ['redis', 'mysql', 'kafka', 'elasticsearch'];
const registry = new TypeRegistry();
for (const t of types)
  registry.apply(
    'add',
    parse(readFileSync(join(root, 'deploy/plugins', `${t}.yaml`), 'utf8')) as MiddlewareType,
  );
const render = instanceRenderer({ agentImage: 'agent:1', operatorNamespace: 'mwop-system' });
const samples: string[] = [];
for (const t of types) {
  const instance: MiddlewareInstance = {
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareInstance',
    metadata: { name: 'inst', namespace: 'bench-0', uid: 'u' },
    spec: {
      type: t,
      pluginVersion: 'v1',
      replicas: 1,
      storage: { size: '1Gi' },
      config: { preset: 'small' },
    },
  };
  const plugin = registry.resolve(t, 'v1');
  const config = await validateConfig(plugin, instance);
  if (!config.ok) throw new Error(JSON.stringify(config.errors));
  const sts = render({ instance, plugin, config }).find(
    (o: KubernetesObject) => o.kind === 'StatefulSet',
  ) as V1StatefulSet;
  sts.metadata = {
    ...sts.metadata,
    uid: 'x',
    resourceVersion: '123',
    generation: 2,
    creationTimestamp: new Date(),
  };
  sts.status = {
    replicas: 1,
    readyReplicas: 1,
    availableReplicas: 1,
    currentReplicas: 1,
    updatedReplicas: 1,
    observedGeneration: 2,
    currentRevision: 'inst-abc',
    updateRevision: 'inst-abc',
    collisionCount: 0,
  };
  samples.push(JSON.stringify(sts));
}
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const measure = (slim: boolean) => {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept: V1StatefulSet[] = [];
  for (let i = 0; i < count; i++) {
    const o = JSON.parse(samples[i % samples.length]!) as V1StatefulSet;
    kept.push(slim ? slimStatefulSet(o) : o);
  }
  gc();
  const mb = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
  return { kept: kept.length, mb: Math.round(mb * 10) / 10 };
};
console.log(
  JSON.stringify({
    count,
    jsonBytesPerObject: samples.map((s) => s.length),
    whole: measure(false),
    slimmed: measure(true),
  }),
);
