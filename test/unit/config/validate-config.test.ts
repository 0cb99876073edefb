// validateConfig itself, with small made-up types: where each error points (overrides, preset,
// configRef, the type), CUE as the final authority, and the runtime loaded once.
import { describe, expect, it } from 'vitest';
import type { MiddlewareTypeVersion } from '../../../src/api/index.ts';
import {
  checkValue,
  closest,
  configCatalog,
  cueRuntime,
  describeAccepted,
  formatConfigError,
  validateConfig,
} from '../../../src/config/index.ts';
import type { ResolvedPlugin } from '../../../src/plugins/types.ts';
import { instanceOf } from './support.ts';

const CUE = `
#Config: {
	// Port the server listens on.
	port: int & >=1 & <=65535 | *7000
	mode: *"fast" | "safe"
	ratio: number & >0 & <1 | *0.5
	tags: [...string] | *[]
	limits: {
		soft: int & >=0 | *10
		hard: int & >=0 | *20
	}
	minConns: int & >=0 | *1
	maxConns: int & >=0 | *100
}
_#Rules: {
	maxConns: _
	// minConns must not exceed maxConns.
	minConns: <=maxConns
	...
}
`;

function tiny(over: Partial<MiddlewareTypeVersion> = {}): ResolvedPlugin {
  const version: MiddlewareTypeVersion = {
    pluginVersion: 'v1',
    supportedVersions: [{ version: '1.0.0', image: 'docker.io/library/busybox:1.37', default: true }],
    workload: {
      ports: [{ name: 'client', port: 7000 }],
      dataMountPath: '/data',
      configMountPath: '/etc/tiny',
    },
    scalingRules: { minReplicas: 1, maxReplicas: 3 },
    configTemplate: CUE,
    configFiles: [
      {
        name: 'tiny.conf',
        template: 'port {{config.port}}\nmode {{config.mode}}\nhosts {{#each members}}{{host}} {{/each}}\n',
      },
    ],
    presets: [
      { name: 'base', default: true, config: { mode: 'safe' } },
      { name: 'broken', config: { port: 0 } },
    ],
    ...over,
  };
  return {
    typeName: 'tiny',
    type: {
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'MiddlewareType',
      metadata: { name: 'tiny' },
      spec: { versions: [version] },
    },
    version,
    middleware: version.supportedVersions[0]!,
    hookPort: 8080,
  };
}

const run = async (p: ResolvedPlugin, config: object, opts = {}) =>
  validateConfig(p, instanceOf('tiny', config, { replicas: 2 }), opts);
const errors = async (p: ResolvedPlugin, config: object, opts = {}) => {
  const r = await run(p, config, opts);
  if (r.ok) throw new Error('accepted');
  return r.errors.map(formatConfigError);
};

describe('validateConfig', () => {
  it('loads the CUE runtime once per process', async () => {
    expect(await cueRuntime()).toBe(await cueRuntime());
  });

  it('fills CUE defaults, applies the default preset and renders with the member list', async () => {
    const r = await run(tiny(), {});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.values).toEqual({
      port: 7000,
      mode: 'safe',
      ratio: 0.5,
      tags: [],
      limits: { soft: 10, hard: 20 },
      minConns: 1,
      maxConns: 100,
    });
    expect(r.config.files['tiny.conf']).toBe(
      'port 7000\nmode safe\nhosts demo-0.demo-headless.team-a.svc demo-1.demo-headless.team-a.svc \n',
    );
  });

  it('checks nested objects key by key, with the nested path', async () => {
    expect(await errors(tiny(), { overrides: { limits: { soft: -1, firm: 3 } } })).toEqual([
      'spec.config.overrides.limits.soft: out of range: expected an integer of at least 0 (got -1)',
      'spec.config.overrides.limits.firm: unknown key for tiny v1; accepted keys: hard, soft (got 3)',
    ]);
  });

  it('describes exclusive bounds', async () => {
    expect(await errors(tiny(), { overrides: { ratio: 1 } })).toEqual([
      'spec.config.overrides.ratio: out of range: expected a number greater than 0 and less than 1 (got 1)',
    ]);
  });

  it('leaves rules across keys to CUE and shows the rule in words', async () => {
    expect(await errors(tiny(), { overrides: { minConns: 30, maxConns: 20 } })).toEqual([
      'spec.config.overrides.minConns: breaks a rule of tiny v1: minConns must not exceed maxConns. (got 30)',
    ]);
  });

  it('blames a bad preset value on the preset, not on the user', async () => {
    expect(await errors(tiny(), { preset: 'broken' })).toEqual([
      'spec.config.preset: preset broken of tiny v1 sets port, which is invalid: out of range: expected an integer from 1 to 65535 (a defect of the MiddlewareType; override port or pick another preset) (got 0)',
    ]);
    // An override of the bad key repairs it.
    expect((await run(tiny(), { preset: 'broken', overrides: { port: 7001 } })).ok).toBe(true);
  });

  it('reads configRef values passed in, and says so when they were not read', async () => {
    expect(await errors(tiny(), { configRef: { name: 'tiny-values' } })).toEqual([
      'spec.config.configRef: the ConfigMap was not read; accepted: a ConfigMap in the instance namespace whose config.yaml holds a map of config keys (got "tiny-values")',
    ]);
    expect(
      await errors(tiny(), { configRef: { name: 'tiny-values' } }, { configRefValues: { mode: 'slow' } }),
    ).toEqual([
      'spec.config.configRef(tiny-values).config.yaml.mode: expected one of "fast", "safe" (got "slow")',
    ]);
  });

  it('accepts no overrides for a type without a schema, but still renders its presets', async () => {
    const p = tiny({
      configTemplate: undefined,
      configFiles: [{ name: 'x.conf', template: 'mode {{config.mode}}\n' }],
    });
    expect(await errors(p, { overrides: { mode: 'fast' } })).toEqual([
      'spec.config.overrides.mode: unknown key: tiny v1 declares no config schema (configTemplate); accepted: no overrides (got "fast")',
    ]);
    const r = await run(p, {});
    expect(r.ok && r.config.files['x.conf']).toBe('mode safe\n');
  });

  it('reports a type whose CUE does not compile or lacks #Config as a defect of the type', async () => {
    expect(await errors(tiny({ configTemplate: '#Config: { port: int &' }), {})).toEqual([
      expect.stringMatching(
        /^MiddlewareType tiny v1 configTemplate: does not compile: .+; the type's CUE must compile and define #Config/,
      ),
    ]);
    expect(await errors(tiny({ configTemplate: '#Settings: { port: int }' }), {})).toEqual([
      "MiddlewareType tiny v1 configTemplate: defines no #Config; accepted: CUE that defines the closed definition #Config (definitions found: #Settings); the type's CUE must compile and define #Config (a defect of the MiddlewareType, not of this instance)",
    ]);
  });

  it('reports a template that does not render', async () => {
    const p = tiny({ configFiles: [{ name: 'bad.conf', template: '{{#each}}' }] });
    expect((await errors(p, {}))[0]).toMatch(
      /^MiddlewareType tiny v1 configFiles\[name=bad\.conf\]\.template: does not render: .+; accepted: a Handlebars template over config, instance, members and plugin$/,
    );
  });
});

describe('field checks', () => {
  it('suggests the closest key only when it is a likely typo', () => {
    expect(closest('maxmemroy', ['maxmemory', 'maxclients'])).toBe('maxmemory');
    expect(closest('zzz', ['maxmemory', 'maxclients'])).toBeUndefined();
  });

  it('describes what a field accepts', () => {
    expect(describeAccepted({ type: 'integer', minimum: 0 })).toBe('an integer of at least 0');
    expect(describeAccepted({ type: 'integer', maximum: 9 })).toBe('an integer of at most 9');
    expect(describeAccepted({ type: 'string', minLength: 1, maxLength: 8 })).toBe(
      'a string of 1 to 8 characters',
    );
    expect(describeAccepted({ oneOf: [{ type: 'integer' }, { type: 'string', enum: ['auto'] }] })).toBe(
      'an integer, or one of "auto"',
    );
  });

  it('accepts a value that matches one branch of a disjunction', () => {
    const s = { oneOf: [{ type: 'integer' as const }, { type: 'string' as const, enum: ['auto'] }] };
    expect(checkValue(s, 'auto', ['x'])).toEqual([]);
    expect(checkValue(s, 3, ['x'])).toEqual([]);
    expect(checkValue(s, 'manual', ['x'])).toEqual([
      { path: ['x'], value: 'manual', message: 'expected an integer, or one of "auto"' },
    ]);
  });

  it('builds the catalog once per CUE source', async () => {
    const cue = await cueRuntime();
    expect(configCatalog(cue, CUE)).toBe(configCatalog(cue, CUE));
    expect(configCatalog(cue, CUE).rules).toEqual({ minConns: 'minConns must not exceed maxConns.' });
  });
});
