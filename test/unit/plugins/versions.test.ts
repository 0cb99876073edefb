// diffPublishedVersions: the explanation the webhook gives when a published plugin version is
// edited or removed (FR-015); the CRD's CEL rule is what enforces it.
import { describe, expect, it } from 'vitest';
import type { MiddlewareType } from '../../../src/api/index.ts';
import { diffPublishedVersions } from '../../../src/plugins/index.ts';
import { deployedType } from '../config/support.ts';

const redis = deployedType('redis');
const edit = (f: (t: MiddlewareType) => void): MiddlewareType => {
  const t = structuredClone(redis);
  f(t);
  return t;
};

describe('diffPublishedVersions', () => {
  it('allows an identical object and a new version', () => {
    expect(diffPublishedVersions(redis, structuredClone(redis)).violations).toEqual([]);
    const added = edit((t) =>
      t.spec.versions.push({
        ...structuredClone(t.spec.versions[1]!),
        pluginVersion: 'v3',
        upgradeFrom: ['v2'],
      }),
    );
    const d = diffPublishedVersions(redis, added);
    expect(d).toMatchObject({ added: ['v3'], removed: [], changed: [], violations: [] });
  });

  it('names the version and every path that changed', () => {
    const changed = edit((t) => {
      const v1 = t.spec.versions[0]!;
      v1.supportedVersions[0]!.image = 'docker.io/library/redis:7.2.8';
      v1.presets![1]!.config = { ...v1.presets![1]!.config, maxclients: 1 };
      v1.scalingRules.maxReplicas = 12;
    });
    const d = diffPublishedVersions(redis, changed);
    expect(d.changed).toEqual([
      {
        pluginVersion: 'v1',
        paths: [
          'supportedVersions[version=7.2.7].image',
          'scalingRules.maxReplicas',
          'presets[name=medium].config.maxclients',
        ],
      },
    ]);
    expect(d.violations).toEqual([
      'spec.versions[pluginVersion=v1]: published plugin versions are immutable (FR-015); changed: supportedVersions[version=7.2.7].image, scalingRules.maxReplicas, presets[name=medium].config.maxclients; accepted: the version exactly as published, with changes in a new plugin version',
    ]);
  });

  it('sees a changed CUE schema and a removed version', () => {
    const d = diffPublishedVersions(
      redis,
      edit((t) => {
        t.spec.versions[1]!.configTemplate += '\n// edited\n';
        t.spec.versions.splice(0, 1);
      }),
    );
    expect(d.removed).toEqual(['v1']);
    expect(d.changed).toEqual([{ pluginVersion: 'v2', paths: ['configTemplate'] }]);
    expect(d.violations).toEqual([
      'spec.versions[pluginVersion=v2]: published plugin versions are immutable (FR-015); changed: configTemplate; accepted: the version exactly as published, with changes in a new plugin version',
      'spec.versions[pluginVersion=v1]: a published plugin version cannot be removed (FR-015); accepted: keep it, marked deprecated: true',
    ]);
  });

  it('takes specs as well as whole objects, and treats a missing old object as all new', () => {
    expect(diffPublishedVersions(undefined, redis.spec)).toMatchObject({
      added: ['v1', 'v2'],
      violations: [],
    });
  });
});
