// Loads a plugin as the cluster sees it (deploy/plugins/<type>.yaml, the assembled object) and
// builds instances around a config, for the per-plugin config tests.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll } from 'vitest';
import { parse } from 'yaml';
import type { InstanceConfig, MiddlewareInstance, MiddlewareType } from '../../../src/api/index.ts';
import { cueRuntime, formatConfigError, validateConfig } from '../../../src/config/index.ts';
import { TypeRegistry } from '../../../src/plugins/index.ts';
import type { ResolvedPlugin } from '../../../src/plugins/types.ts';

// Loading the CUE WebAssembly runtime takes seconds on a busy machine: a setup cost, once per file.
beforeAll(async () => {
  await cueRuntime();
}, 120_000);

export const DEPLOY_PLUGINS = fileURLToPath(new URL('../../../deploy/plugins', import.meta.url));

export function deployedType(type: string): MiddlewareType {
  return parse(readFileSync(`${DEPLOY_PLUGINS}/${type}.yaml`, 'utf8')) as MiddlewareType;
}

export function registryOf(...types: string[]): TypeRegistry {
  const r = new TypeRegistry();
  for (const t of types) r.apply('add', deployedType(t));
  return r;
}

export function loadPlugin(type: string, pluginVersion = 'v1', middlewareVersion?: string): ResolvedPlugin {
  return registryOf(type).resolve(type, pluginVersion, middlewareVersion);
}

export function instanceOf(
  type: string,
  config?: InstanceConfig,
  spec: Partial<MiddlewareInstance['spec']> = {},
): MiddlewareInstance {
  return {
    apiVersion: 'mwop.dev/v1alpha1',
    kind: 'MiddlewareInstance',
    metadata: { name: 'demo', namespace: 'team-a', uid: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6' },
    spec: {
      type,
      pluginVersion: 'v1',
      replicas: 3,
      storage: { size: '10Gi' },
      ...(config ? { config } : {}),
      ...spec,
    },
  };
}

/** The formatted errors of a config, or a failure when it is accepted. */
export async function errorsOf(plugin: ResolvedPlugin, config: InstanceConfig): Promise<string[]> {
  const r = await validateConfig(plugin, instanceOf(plugin.typeName, config));
  if (r.ok) throw new Error(`expected ${JSON.stringify(config)} to be rejected, it was accepted`);
  return r.errors.map(formatConfigError);
}

export async function accepted(plugin: ResolvedPlugin, config?: InstanceConfig, spec = {}) {
  const r = await validateConfig(plugin, instanceOf(plugin.typeName, config, spec));
  if (!r.ok) throw new Error(`expected acceptance, got:\n${r.errors.map(formatConfigError).join('\n')}`);
  return r.config;
}
