// Reads the hooks a plugin version declares from a MiddlewareType manifest
// (plugins/<type>/middlewaretype.yaml, spec.versions[].lifecycleHooks). Pure: takes the text.
import { parseAllDocuments } from 'yaml';
import { HOOKS, type HookName } from '../contract.ts';
import type { HookOverride } from './runner.ts';

export interface DeclaredHooks {
  typeName: string | undefined;
  pluginVersion: string;
  port: number | undefined;
  hooks: HookName[];
  overrides: Partial<Record<HookName, HookOverride>>;
}

interface VersionLike {
  pluginVersion?: unknown;
  lifecycleHooks?: Record<string, unknown>;
}

export function declaredHooks(text: string, source: string, pluginVersion?: string): DeclaredHooks {
  const docs = parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown> | null);
  const type = docs.find((d) => d?.kind === 'MiddlewareType');
  if (!type) throw new Error(`${source}: no document of kind MiddlewareType`);
  const spec = (type.spec ?? {}) as { versions?: VersionLike[] };
  const versions = spec.versions ?? [];
  if (versions.length === 0) throw new Error(`${source}: spec.versions is empty`);
  const names = versions.map((v) => String(v.pluginVersion));
  const version =
    pluginVersion === undefined
      ? versions[versions.length - 1]!
      : versions.find((v) => v.pluginVersion === pluginVersion);
  if (!version)
    throw new Error(
      `--plugin-version: got ${JSON.stringify(pluginVersion)}, ${source} has ${names.join(', ')}`,
    );
  const lifecycle = version.lifecycleHooks ?? {};
  const hooks: HookName[] = [];
  const overrides: Partial<Record<HookName, HookOverride>> = {};
  for (const name of Object.keys(HOOKS) as HookName[]) {
    const h = lifecycle[name] as { path?: unknown; timeoutSeconds?: unknown } | undefined;
    if (!h) continue;
    hooks.push(name);
    overrides[name] = {
      ...(typeof h.path === 'string' ? { path: h.path } : {}),
      ...(typeof h.timeoutSeconds === 'number' ? { timeoutSeconds: h.timeoutSeconds } : {}),
    };
  }
  const meta = (type.metadata ?? {}) as { name?: unknown };
  return {
    typeName: typeof meta.name === 'string' ? meta.name : undefined,
    pluginVersion: String(version.pluginVersion),
    port: typeof lifecycle.port === 'number' ? lifecycle.port : undefined,
    hooks,
    overrides,
  };
}
