// User story 2: a new middleware type is YAML only. This test feeds the registry nothing but
// deploy/plugins/elasticsearch.yaml and takes an instance of it through resolution, CUE
// validation and rendering of every child object, with no Elasticsearch-specific TypeScript.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { MiddlewareType } from '../../../src/api/index.ts';
import { renderDryRun } from '../../../src/cli/commands/render.ts';
import { validateConfig } from '../../../src/config/index.ts';
import { TypeRegistry } from '../../../src/plugins/index.ts';
import { renderInstanceObjects } from '../../../src/render/index.ts';
import { DEPLOY_PLUGINS, instanceOf } from '../config/support.ts';

const yaml = readFileSync(`${DEPLOY_PLUGINS}/elasticsearch.yaml`, 'utf8');

describe('elasticsearch from its YAML alone', () => {
  it('resolves, validates and renders an instance', async () => {
    const registry = new TypeRegistry();
    registry.apply('add', parse(yaml) as MiddlewareType);
    const plugin = registry.resolve('elasticsearch', 'v1');
    const instance = instanceOf('elasticsearch', { preset: 'medium', overrides: { 'cluster.name': 'logs' } });
    const config = await validateConfig(plugin, instance);
    if (!config.ok) throw new Error(JSON.stringify(config.errors));
    expect(config.config.files['elasticsearch.yml']).toContain('\ncluster.name: logs\n');
    const { objects } = renderInstanceObjects({
      instance,
      plugin,
      config: config.config,
      credentials: { generatedPassword: 'pw' },
      options: {},
    });
    expect(objects.map((o) => o.kind)).toEqual(['Secret', 'ConfigMap', 'Service', 'Service', 'StatefulSet']);
    const sts = objects.find((o) => o.kind === 'StatefulSet') as unknown as {
      spec: { template: { spec: { containers: Array<{ image: string; env: Array<{ name: string }> }> } } };
    };
    expect(sts.spec.template.spec.containers[0]!.image).toBe(
      'docker.elastic.co/elasticsearch/elasticsearch:8.18.2',
    );
    expect(sts.spec.template.spec.containers[0]!.env.map((e) => e.name)).toContain('ELASTIC_PASSWORD');
  });

  it('goes through kubectl mw render with only that type known', async () => {
    const r = await renderDryRun(
      {
        apiVersion: 'mwop.dev/v1alpha1',
        kind: 'MiddlewareInstance',
        metadata: { name: 'logs', namespace: 'obs' },
        spec: { type: 'elasticsearch', pluginVersion: 'v1', replicas: 3, storage: { size: '100Gi' } },
      },
      [parse(yaml) as MiddlewareType],
    );
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.yaml).toContain('kind: StatefulSet');
  });
});
