// Whether a MiddlewareType is usable, version by version: its CUE compiles and defines #Config,
// every preset passes that schema and renders, and the version facts agree (one default middleware
// version and preset at most, upgradeFrom names published versions). For the generator (a broken
// plugin never reaches deploy/plugins), MiddlewareType admission and its status (phase Invalid).
import type { MiddlewareInstance, MiddlewareType } from '../api/index.ts';
import type { ResolvedPlugin } from '../plugins/types.ts';
import { formatConfigError, validateConfig } from './validate-config.ts';

/**
 * Every problem of the type, one message each, naming the version and the field; empty when
 * usable. CUE runs through the process-wide evaluator (in its worker threads when it has some).
 */
export async function checkMiddlewareType(type: MiddlewareType): Promise<string[]> {
  const name = type.metadata?.name ?? '(unnamed)';
  const versions = type.spec?.versions ?? [];
  const published = versions.map((v) => v.pluginVersion);
  const problems: string[] = [];
  for (const version of versions) {
    const at = `spec.versions[pluginVersion=${version.pluginVersion}]`;
    const defaults = (version.supportedVersions ?? []).filter((s) => s.default).map((s) => s.version);
    if (defaults.length > 1)
      problems.push(
        `${at}.supportedVersions: ${defaults.join(', ')} are all marked default; accepted: at most one`,
      );
    const defaultPresets = (version.presets ?? []).filter((p) => p.default).map((p) => p.name);
    if (defaultPresets.length > 1)
      problems.push(
        `${at}.presets: ${defaultPresets.join(', ')} are all marked default; accepted: at most one`,
      );
    for (const from of version.upgradeFrom ?? []) {
      if (!published.includes(from))
        problems.push(
          `${at}.upgradeFrom: ${from} is not a plugin version of ${name}; accepted: ${published.join(', ')}`,
        );
    }
    const middleware = version.supportedVersions?.[0];
    if (!middleware) continue;
    const plugin: ResolvedPlugin = { typeName: name, type, version, middleware, hookPort: 8080 };
    // Each preset must validate and render as it is; so must no preset, unless one is the default.
    const names = (version.presets ?? []).map((p) => p.name);
    for (const preset of defaultPresets.length ? names : [undefined, ...names]) {
      const result = await validateConfig(plugin, probeInstance(name, version.pluginVersion, preset));
      if (result.ok) continue;
      const where = preset === undefined ? 'with no preset named' : `preset ${preset}`;
      for (const e of result.errors) problems.push(`${at} ${where}: ${formatConfigError(e)}`);
      if (result.errors.some((e) => e.path.endsWith('configTemplate'))) break;
    }
  }
  return [...new Set(problems)];
}

function probeInstance(type: string, pluginVersion: string, preset: string | undefined): MiddlewareInstance {
  return {
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareInstance',
    metadata: { name: 'probe', namespace: 'probe', uid: '00000000-0000-4000-8000-000000000000' },
    spec: {
      type,
      pluginVersion,
      replicas: 3,
      storage: { size: '1Gi' },
      ...(preset ? { config: { preset } } : {}),
    },
  };
}
