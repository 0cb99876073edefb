// Pure: what `kubectl mw create` sends. It picks the defaults a developer would pick (the newest
// plugin version, that version's default middleware version, the small preset) and rejects bad
// flags before anything reaches the cluster, each time naming what is accepted.
import {
  API_VERSION,
  type MiddlewareInstance,
  type MiddlewareInstanceSpec,
  type MiddlewareType,
  type MiddlewareTypeVersion,
  type Preset,
  type SupportedVersion,
} from '../api/index.ts';
import { allowedConfigKeys } from './config-keys.ts';
import { CliError } from './errors.ts';
import { type ConfigValues, displayKey, unknownKeys } from './set-values.ts';

export const DEFAULT_PRESET = 'small';
export const DEFAULT_STORAGE = '1Gi';
export const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer'] as const;

/** Orders v1 < v2 < v10 and v1.9 < v1.10; non-numeric parts compare as text. */
export function comparePluginVersions(a: string, b: string): number {
  return compareDotted(a.replace(/^v/, ''), b.replace(/^v/, ''));
}

/** Orders 7.2.7 < 7.2.11 < 8.0.0. */
export function compareDotted(a: string, b: string): number {
  const pa = a.split(/[.-]/);
  const pb = b.split(/[.-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x) ? Number(x) : Number.NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : Number.NaN;
    const c = !Number.isNaN(nx) && !Number.isNaN(ny) ? nx - ny : x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return c;
  }
  return 0;
}

/** The plugin version asked for, or the newest one that is not deprecated. */
export function pickPluginVersion(type: MiddlewareType, requested?: string): MiddlewareTypeVersion {
  const versions = type.spec.versions;
  const names = versions.map((v) => v.pluginVersion).sort(comparePluginVersions);
  if (requested !== undefined) {
    const v = versions.find((x) => x.pluginVersion === requested);
    if (!v) {
      throw new CliError(
        `--plugin-version ${requested}: type ${type.metadata.name} has no plugin version ${requested}`,
        `use one of: ${names.join(', ')} (kubectl mw types lists them all)`,
      );
    }
    return v;
  }
  const usable = versions.filter((v) => !v.deprecated);
  const pool = usable.length > 0 ? usable : versions;
  return [...pool].sort((a, b) =>
    comparePluginVersions(b.pluginVersion, a.pluginVersion),
  )[0] as MiddlewareTypeVersion;
}

/** The middleware version asked for, else the one marked default, else the newest current one. */
export function pickMiddlewareVersion(
  typeName: string,
  version: MiddlewareTypeVersion,
  requested?: string,
): SupportedVersion {
  const supported = version.supportedVersions;
  if (requested !== undefined) {
    const v = supported.find((s) => s.version === requested);
    if (!v) {
      throw new CliError(
        `--version ${requested}: ${typeName} plugin ${version.pluginVersion} does not support version ${requested}`,
        `use one of: ${supported.map((s) => s.version).join(', ')}${supportedElsewhereHint()}`,
      );
    }
    return v;
  }
  const marked = supported.find((s) => s.default);
  if (marked) return marked;
  const current = supported.filter((s) => !s.deprecated);
  const pool = current.length > 0 ? current : supported;
  return [...pool].sort((a, b) => compareDotted(b.version, a.version))[0] as SupportedVersion;
}

function supportedElsewhereHint(): string {
  return '; other plugin versions may support more (kubectl mw types)';
}

/** The preset asked for, else "small", else the one marked default, else none. */
export function pickPreset(
  typeName: string,
  version: MiddlewareTypeVersion,
  requested?: string,
): Preset | undefined {
  const presets = version.presets ?? [];
  if (requested !== undefined) {
    const p = presets.find((x) => x.name === requested);
    if (!p) {
      throw new CliError(
        `--preset ${requested}: ${typeName} plugin ${version.pluginVersion} has no preset ${requested}`,
        presets.length > 0
          ? `use one of: ${presets.map((x) => x.name).join(', ')}`
          : 'this plugin version has no presets; leave --preset out and use --set',
      );
    }
    return p;
  }
  return presets.find((p) => p.name === DEFAULT_PRESET) ?? presets.find((p) => p.default);
}

export interface CreateOptions {
  name: string;
  namespace: string;
  pluginVersion?: string;
  version?: string;
  replicas?: number;
  preset?: string;
  set?: ConfigValues;
  storage?: string;
  storageClass?: string;
  expose?: string;
  /** The config keys (escaped paths) from the CUE catalog; without it they are read from the schema text. */
  configKeys?: readonly string[];
}

export interface CreatePlan {
  instance: MiddlewareInstance;
  /** What was picked by default, for the user to see ("plugin v2 (newest)"). */
  defaults: string[];
}

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

export function planCreate(type: MiddlewareType, opts: CreateOptions): CreatePlan {
  const typeName = type.metadata.name ?? '';
  if (!NAME.test(opts.name) || opts.name.length > 53) {
    throw new CliError(
      `name ${JSON.stringify(opts.name)} is not a valid instance name`,
      'use at most 53 lower-case letters, digits and "-", starting and ending with a letter or digit (for example cache or orders-db)',
    );
  }
  const defaults: string[] = [];
  const version = pickPluginVersion(type, opts.pluginVersion);
  if (opts.pluginVersion === undefined) defaults.push(`plugin version ${version.pluginVersion} (newest)`);
  const middleware = pickMiddlewareVersion(typeName, version, opts.version);
  if (opts.version === undefined) defaults.push(`${typeName} ${middleware.version} (the plugin's default)`);
  const preset = pickPreset(typeName, version, opts.preset);
  if (opts.preset === undefined && preset) defaults.push(`preset ${preset.name}`);

  const { minReplicas, maxReplicas } = version.scalingRules;
  const replicas = opts.replicas ?? minReplicas;
  if (!Number.isInteger(replicas) || replicas < minReplicas || replicas > maxReplicas) {
    throw new CliError(
      `--replicas ${opts.replicas}: ${typeName} plugin ${version.pluginVersion} allows ${minReplicas} to ${maxReplicas} members`,
      `pass --replicas between ${minReplicas} and ${maxReplicas}`,
    );
  }
  if (opts.replicas === undefined) defaults.push(`${replicas} replica${replicas === 1 ? '' : 's'}`);

  const storage = opts.storage ?? preset?.storageSize ?? DEFAULT_STORAGE;
  if (!QUANTITY.test(storage)) {
    throw new CliError(
      `--storage ${storage}: not a storage size`,
      'write a Kubernetes quantity such as 1Gi, 500Mi or 20Gi',
    );
  }
  if (opts.storage === undefined) defaults.push(`storage ${storage}`);

  let serviceType: (typeof SERVICE_TYPES)[number] | undefined;
  if (opts.expose !== undefined) {
    const match = SERVICE_TYPES.find((s) => s.toLowerCase() === opts.expose?.toLowerCase());
    if (!match) {
      throw new CliError(
        `--expose ${opts.expose}: not a Service type`,
        `use one of: ${SERVICE_TYPES.join(', ')} (leave --expose out for ClusterIP, reachable inside the cluster)`,
      );
    }
    serviceType = match;
  }

  const overrides = opts.set ?? {};
  if (Object.keys(overrides).length > 0) {
    const allowed = opts.configKeys ?? allowedConfigKeys(version);
    const bad = unknownKeys(overrides, allowed);
    if (bad.length > 0 && allowed.length > 0) {
      throw new CliError(
        `--set ${bad.map(displayKey).join(', ')}: not ${bad.length === 1 ? 'a config key' : 'config keys'} of ${typeName} plugin ${version.pluginVersion}`,
        `use one of: ${allowed.map(displayKey).join(', ')}`,
      );
    }
  }

  const spec: MiddlewareInstanceSpec = {
    type: typeName,
    pluginVersion: version.pluginVersion,
    middlewareVersion: middleware.version,
    replicas,
    storage: { size: storage, ...(opts.storageClass ? { storageClassName: opts.storageClass } : {}) },
    ...(serviceType ? { serviceType } : {}),
  };
  if (preset || Object.keys(overrides).length > 0) {
    spec.config = {
      ...(preset ? { preset: preset.name } : {}),
      ...(Object.keys(overrides).length > 0 ? { overrides } : {}),
    };
  }
  return {
    instance: {
      apiVersion: API_VERSION,
      kind: 'MiddlewareInstance',
      metadata: { name: opts.name, namespace: opts.namespace },
      spec,
    },
    defaults,
  };
}
