// What the instance asks for once the plugin's defaults are filled in: preset, resources, storage,
// credentials keys, ports. Both the renderer and the quota footprint read these, so the admission
// check and the objects we apply can never disagree.
import type { V1ResourceRequirements } from '@kubernetes/client-node';
import { DEFAULT_CREDENTIALS_DIR } from '../agent/contract.ts';
import type { MiddlewareInstance, Preset, ResourceRequirements } from '../api/index.ts';
import type { ResolvedPlugin } from '../plugins/types.ts';
import { RenderError } from './errors.ts';
import { names } from './meta.ts';
import { parseQuantity } from './quantity.ts';

export const DEFAULT_AGENT_RESOURCES: ResourceRequirements = {
  requests: { cpu: '50m', memory: '64Mi' },
  limits: { cpu: '200m', memory: '128Mi' },
};

/** Where the agent reads the credentials files; the contract's default directory. */
export const CREDENTIALS_MOUNT_PATH = DEFAULT_CREDENTIALS_DIR;
export const TLS_MOUNT_PATH = '/etc/mwop/tls';

/** The preset the instance names, else the version's default preset, else none. */
export function effectivePreset(instance: MiddlewareInstance, plugin: ResolvedPlugin): Preset | undefined {
  const presets = plugin.version.presets ?? [];
  const wanted = instance.spec.config?.preset;
  if (wanted) {
    const found = presets.find((p) => p.name === wanted);
    if (!found)
      throw new RenderError(
        'spec.config.preset',
        wanted,
        presets.length
          ? `${plugin.typeName} ${plugin.version.pluginVersion} has the presets ${presets.map((p) => p.name).join(', ')}`
          : `${plugin.typeName} ${plugin.version.pluginVersion} defines no presets; remove spec.config.preset`,
      );
    return found;
  }
  return presets.find((p) => p.default);
}

type Key = 'cpu' | 'memory';

/** The preset's resources with the spec's values laid over them, one field at a time. */
export function memberResources(instance: MiddlewareInstance, plugin: ResolvedPlugin): ResourceRequirements {
  const preset = effectivePreset(instance, plugin);
  const spec = instance.spec.resources;
  const out: ResourceRequirements = {};
  for (const side of ['requests', 'limits'] as const) {
    const merged: Partial<Record<Key, string | number>> = {};
    for (const key of ['cpu', 'memory'] as const) {
      const own = spec?.[side]?.[key];
      const v = own ?? preset?.resources?.[side]?.[key];
      if (v === undefined) continue;
      // Validated here so a bad preset value is reported where it lives, not deep in a footprint.
      parseQuantity(
        v,
        own !== undefined
          ? `spec.resources.${side}.${key}`
          : `${plugin.typeName} ${plugin.version.pluginVersion} presets[${preset?.name}].resources.${side}.${key}`,
      );
      merged[key] = v;
    }
    if (Object.keys(merged).length) out[side] = merged;
  }
  return out;
}

/** Size of each member's data volume: spec.storage.size, else the preset's storageSize. */
export function storageSize(instance: MiddlewareInstance, plugin: ResolvedPlugin): string {
  const size = instance.spec.storage?.size || effectivePreset(instance, plugin)?.storageSize;
  if (!size)
    throw new RenderError(
      'spec.storage.size',
      instance.spec.storage?.size,
      'a size such as 10Gi, or a preset with a storageSize',
    );
  parseQuantity(size, 'spec.storage.size');
  return size;
}

export const replicas = (instance: MiddlewareInstance): number => instance.spec.replicas ?? 1;

export interface CredentialRefs {
  secretName: string;
  usernameKey: string;
  passwordKey: string;
  /** The type's fixed username (connection.username), when it has one. */
  fixedUsername?: string;
  /** True when the operator generates and owns the Secret. */
  generated: boolean;
}

export function credentialRefs(instance: MiddlewareInstance, plugin: ResolvedPlugin): CredentialRefs {
  const c = instance.spec.credentials;
  const fixed = plugin.version.connection?.username;
  return {
    secretName: c?.existingSecret ?? names(instance).generatedSecret,
    usernameKey: c?.usernameKey ?? 'username',
    passwordKey: c?.passwordKey ?? 'password',
    ...(fixed ? { fixedUsername: fixed } : {}),
    generated: !c?.existingSecret,
  };
}

/** The client port: the first port the type declares. */
export function clientPort(plugin: ResolvedPlugin) {
  const port = plugin.version.workload.ports[0];
  if (!port)
    throw new RenderError(
      `MiddlewareType ${plugin.typeName} ${plugin.version.pluginVersion} workload.ports`,
      [],
      'at least one port; the first is the client port',
    );
  return port;
}

/**
 * Where Prometheus scrapes: a type port named "metrics" (an exporter) when there is one, else the
 * hook agent's port.
 */
export function metricsEndpoint(plugin: ResolvedPlugin): { port: number; portName: string; path: string } {
  const p = plugin.version.workload.ports.find((x) => x.name === 'metrics');
  return p
    ? { port: p.port, portName: p.name, path: '/metrics' }
    : { port: plugin.hookPort, portName: 'hooks', path: '/metrics' };
}

/** The container form: quantities as strings (int-or-string fields may hold plain numbers). */
export function toContainerResources(r: ResourceRequirements): V1ResourceRequirements {
  const out: V1ResourceRequirements = {};
  for (const side of ['requests', 'limits'] as const) {
    const list = r[side];
    if (!list) continue;
    const entries = Object.entries(list).filter(([, v]) => v !== undefined);
    if (entries.length) out[side] = Object.fromEntries(entries.map(([k, v]) => [k, String(v)]));
  }
  return out;
}
