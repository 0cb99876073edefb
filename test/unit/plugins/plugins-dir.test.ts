// plugins/<type>/ and the assembled deploy/plugins/<type>.yaml: every plugin is complete and valid,
// declares hooks on the contract's paths, scaling rules, a non-root securityContext and real
// images, and the generated files are up to date.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemblePlugin, PLUGINS_DIR, pluginDirs, pluginsGenerator } from '../../../generators/plugins.ts';
import { HOOKS } from '../../../src/agent/contract.ts';
import { HOOK_NAMES, MiddlewareTypeKind, validateAgainstSchema } from '../../../src/api/index.ts';
import { DEPLOY_PLUGINS, deployedType } from '../config/support.ts';

const UIDS: Record<string, number> = { redis: 999, mysql: 999, kafka: 1000, elasticsearch: 1000 };

describe('plugins/', () => {
  it('has the four plugins', () => {
    expect(pluginDirs()).toEqual(['elasticsearch', 'kafka', 'mysql', 'redis']);
  });

  it('deploy/plugins is what the generator writes (make verify)', async () => {
    const files = await pluginsGenerator.generate();
    expect([...files.keys()].sort()).toEqual([
      'elasticsearch.yaml',
      'kafka.yaml',
      'mysql.yaml',
      'redis.yaml',
    ]);
    for (const [name, content] of files)
      expect(readFileSync(join(DEPLOY_PLUGINS, name), 'utf8')).toBe(content);
    // The generator runs CUE over every preset of every plugin: seconds on a busy 2-core machine.
  }, 60_000);

  describe.each(Object.keys(UIDS))('%s', (type) => {
    const obj = assemblePlugin(join(PLUGINS_DIR, type));

    it('assembles into a MiddlewareType that passes the CRD schema, CUE and templates inline', () => {
      expect(validateAgainstSchema(MiddlewareTypeKind, obj)).toEqual([]);
      expect(obj.metadata?.name).toBe(type);
      for (const v of obj.spec.versions) {
        expect(v.configTemplate).toContain('#Config: {');
        expect(v.configFiles?.length).toBeGreaterThan(0);
        expect(v.presets?.map((p) => p.name)).toEqual(['small', 'medium', 'large']);
        expect(v.presets?.filter((p) => p.default).map((p) => p.name)).toEqual(['small']);
      }
      expect(deployedType(type)).toEqual(obj);
    });

    it('runs real upstream images, non-root with the image user', () => {
      for (const v of obj.spec.versions) {
        for (const s of v.supportedVersions)
          expect(s.image).toMatch(
            /^(docker\.io\/(library|apache)|docker\.elastic\.co\/elasticsearch)\/[a-z]+:\d+\.\d+\.\d+$/,
          );
        expect(v.supportedVersions.filter((s) => s.default)).toHaveLength(1);
        expect(v.securityContext).toMatchObject({
          runAsUser: UIDS[type],
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          capabilitiesDrop: ['ALL'],
        });
      }
    });

    it('declares hooks on the contract paths and scaling rules whose hooks it declares', () => {
      for (const v of obj.spec.versions) {
        const hooks = v.lifecycleHooks ?? {};
        expect(hooks.health).toBeDefined();
        for (const name of HOOK_NAMES) {
          const h = hooks[name];
          if (h) expect(h.path).toBe(HOOKS[name].path);
        }
        const { minReplicas, maxReplicas, scaleInHooks = [], scaleOutHooks = [] } = v.scalingRules;
        expect(minReplicas).toBeLessThanOrEqual(maxReplicas);
        for (const h of [...scaleInHooks, ...scaleOutHooks]) expect(hooks[h]).toBeDefined();
      }
    });

    it('lists restart keys that are config keys', () => {
      for (const v of obj.spec.versions)
        for (const k of v.restartKeys ?? [])
          expect(v.configTemplate).toContain(k.includes('.') || k.includes('-') ? `"${k}"` : `${k}:`);
    });
  });

  it('redis v1 runs 7.2.7 and 7.2.11 (FR-017), v2 upgrades from v1 (FR-016)', () => {
    const [v1, v2] = deployedType('redis').spec.versions;
    expect(v1!.supportedVersions.map((s) => s.version)).toEqual(['7.2.7', '7.2.11']);
    expect(v2!.upgradeFrom).toEqual(['v1']);
  });

  it('redis and mysql back up with the mwop backup tool', () => {
    expect(deployedType('redis').spec.versions[0]!.backupConfig?.command).toEqual([
      'mwop-backup',
      'backup',
      '--type',
      'redis',
    ]);
    expect(deployedType('mysql').spec.versions[0]!.backupConfig?.command).toEqual([
      'mwop-backup',
      'backup',
      '--type',
      'mysql',
      '--dump-bin',
      'mysqldump',
    ]);
  });
});
