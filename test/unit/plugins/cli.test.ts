// kubectl mw render (offline dry run) and the kubectl mw types table, without a cluster.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { MiddlewareInstance } from '../../../src/api/index.ts';
import { DRY_RUN_UID, loadTypes, renderDryRun } from '../../../src/cli/commands/render.ts';
import { typesTable } from '../../../src/cli/commands/types.ts';
import { summarizeTypes } from '../../../src/plugins/index.ts';
import { DEPLOY_PLUGINS } from '../config/support.ts';

const types = loadTypes(DEPLOY_PLUGINS);

function instance(spec: Partial<MiddlewareInstance['spec']> & { type: string }): MiddlewareInstance {
  return {
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareInstance',
    metadata: { name: 'cache', namespace: 'team-a' },
    spec: { pluginVersion: 'v1', storage: { size: '10Gi' }, ...spec },
  };
}

describe('kubectl mw render', () => {
  it('loads every type in deploy/plugins', () => {
    expect(types.map((t) => t.metadata?.name).sort()).toEqual(['elasticsearch', 'kafka', 'mysql', 'redis']);
  });

  it('prints the validated config, the files and the objects as one YAML stream', async () => {
    const r = await renderDryRun(
      instance({ type: 'redis', replicas: 3, config: { preset: 'medium', overrides: { hz: 50 } } }),
      types,
    );
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const docs = parseAllDocuments(r.yaml).map((d) => d.toJS() as Record<string, unknown>);
    expect(docs.map((d) => d.kind)).toEqual([
      'RenderedConfig',
      'Secret',
      'ConfigMap',
      'Service',
      'Service',
      'StatefulSet',
    ]);
    expect(docs[0]).toMatchObject({
      type: 'redis',
      pluginVersion: 'v1',
      middlewareVersion: '7.2.11',
      preset: 'medium',
      values: { hz: 50, maxmemory: '1536mb' },
    });
    expect((docs[0]!.files as Record<string, string>)['redis.conf']).toContain('\nhz 50\n');
    expect((docs[2]!.data as Record<string, string>)['redis.conf']).toContain('\nhz 50\n');
    expect((docs[1]!.metadata as { ownerReferences: Array<{ uid: string }> }).ownerReferences[0]!.uid).toBe(
      DRY_RUN_UID,
    );
  });

  it('collects every error with its path, value and what is accepted', async () => {
    const r = await renderDryRun(
      instance({
        type: 'redis',
        replicas: 12,
        config: { overrides: { maxclients: -1, 'maxmemory-policy': 'lru' } },
      }),
      types,
    );
    expect(r).toEqual({
      ok: false,
      errors: [
        'spec.replicas: redis v1 accepts 1 to 9 (got 12)',
        'spec.config.overrides.maxclients: out of range: expected an integer from 1 to 65000 (got -1)',
        'spec.config.overrides.maxmemory-policy: expected one of "noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl" (got "lru")',
      ],
    });
  });

  it('stops at schema and resolution errors', async () => {
    expect(await renderDryRun(instance({ type: 'redis', replicas: -1 }), types)).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^spec\.replicas: /)],
    });
    expect(await renderDryRun(instance({ type: 'mongodb' }), types)).toEqual({
      ok: false,
      errors: ['spec.type: unknown type mongodb; known types: elasticsearch, kafka, mysql, redis'],
    });
    expect(await renderDryRun(instance({ type: 'mysql', middlewareVersion: '5.7.44' }), types)).toEqual({
      ok: false,
      errors: [
        'spec.middlewareVersion: middleware version 5.7.44 is not supported by mysql v1; supported: 8.0.40, 8.0.43, 8.4.3, 8.4.6',
      ],
    });
  });

  it('refuses an invalid MiddlewareType file with its errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mwop-types-'));
    writeFileSync(
      join(dir, 'bad.yaml'),
      'apiVersion: mwop.dev/v1alpha1\nkind: MiddlewareType\nmetadata: { name: bad }\nspec: { versions: [] }\n',
    );
    expect(() => loadTypes(dir)).toThrow(/bad\.yaml: MiddlewareType bad is invalid:\n {2}spec\.versions: /);
  });
});

describe('kubectl mw types', () => {
  it('shows every type, plugin version, upgrade edge and middleware version', () => {
    expect(typesTable(summarizeTypes(types))).toBe(
      [
        'TYPE            PLUGIN VERSION   UPGRADES FROM   MIDDLEWARE VERSIONS (* DEFAULT)',
        'elasticsearch   v1               -               8.17.4, 8.18.2*',
        'kafka           v1               -               3.9.0, 3.9.1*',
        'mysql           v1               -               8.0.40, 8.0.43, 8.4.3, 8.4.6*',
        'redis           v1               -               7.2.7, 7.2.11*',
        'redis           v2               v1              7.4.2, 7.4.6*',
        '',
      ].join('\n'),
    );
  });
});
