// checkMiddlewareType: what the generator (and MiddlewareType admission) refuses.
import { describe, expect, it } from 'vitest';
import type { MiddlewareType } from '../../../src/api/index.ts';
import { checkMiddlewareType } from '../../../src/config/index.ts';
import { deployedType } from './support.ts';

const edit = (type: string, f: (t: MiddlewareType) => void): MiddlewareType => {
  const t = structuredClone(deployedType(type));
  f(t);
  return t;
};

describe('checkMiddlewareType', () => {
  it.each(['redis', 'mysql', 'kafka', 'elasticsearch'])(
    'finds nothing wrong with the shipped %s',
    async (type) => {
      expect(await checkMiddlewareType(deployedType(type))).toEqual([]);
    },
    // CUE over every preset of every version: seconds on a busy 2-core machine.
    60_000,
  );

  it('names a preset that breaks the schema, and every version fact that disagrees', async () => {
    const broken = edit('redis', (t) => {
      const v2 = t.spec.versions[1]!;
      v2.presets![2]!.config = { ...v2.presets![2]!.config, 'io-threads': 512 };
      v2.presets![1]!.default = true;
      v2.supportedVersions[0]!.default = true;
      v2.upgradeFrom = ['v0'];
    });
    expect(await checkMiddlewareType(broken)).toEqual([
      'spec.versions[pluginVersion=v2].supportedVersions: 7.4.2, 7.4.6 are all marked default; accepted: at most one',
      'spec.versions[pluginVersion=v2].presets: small, medium are all marked default; accepted: at most one',
      'spec.versions[pluginVersion=v2].upgradeFrom: v0 is not a plugin version of redis; accepted: v1, v2',
      'spec.versions[pluginVersion=v2] preset large: spec.config.preset: preset large of redis v2 sets io-threads, which is invalid: out of range: expected an integer from 1 to 128 (a defect of the MiddlewareType; override io-threads or pick another preset) (got 512)',
    ]);
  });

  it('names CUE that does not define #Config once per version', async () => {
    const broken = edit('kafka', (t) => {
      t.spec.versions[0]!.configTemplate = '#Settings: { a: int }';
    });
    expect(await checkMiddlewareType(broken)).toEqual([
      "spec.versions[pluginVersion=v1] preset small: MiddlewareType kafka v1 configTemplate: defines no #Config; accepted: CUE that defines the closed definition #Config (definitions found: #Settings); the type's CUE must compile and define #Config (a defect of the MiddlewareType, not of this instance)",
    ]);
  });
});
