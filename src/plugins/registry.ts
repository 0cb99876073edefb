// The live view of every MiddlewareType, fed by an informer (informer.ts) or by tests with a fake
// event feed. Pure: no I/O. A type that appears in the feed is resolvable on the next call, with
// no restart (SC-002). Objects are kept as stored, so types written by an older mwop, without the
// newer optional fields, keep working (TC-004): every optional field has a default here.
import type { MiddlewareType, MiddlewareTypeVersion } from '../api/index.ts';
import { PluginResolveError } from './errors.ts';
import type { ResolvedPlugin } from './types.ts';
import { defaultMiddlewareVersion, type UpgradeVerdict, upgradeVerdict } from './versions.ts';

export const DEFAULT_HOOK_PORT = 8080;

export type TypeEvent = 'add' | 'update' | 'delete' | 'resync';

export interface TypeSummary {
  name: string;
  displayName?: string;
  pluginVersions: Array<{
    pluginVersion: string;
    upgradeFrom: string[];
    deprecated: boolean;
    middlewareVersions: string[];
    defaultMiddlewareVersion?: string;
  }>;
}

export class TypeRegistry {
  private readonly types = new Map<string, MiddlewareType>();
  private readonly listeners = new Set<(type: TypeEvent, name: string) => void>();

  /** Feeds one informer event. Deletions remove the type; everything else replaces it. */
  apply(event: TypeEvent, obj: MiddlewareType): void {
    const name = obj.metadata?.name;
    if (!name) return;
    if (event === 'delete') this.types.delete(name);
    else this.types.set(name, obj);
    for (const l of this.listeners) l(event, name);
  }

  /** Replaces the whole view, as after a relist. */
  replaceAll(objs: MiddlewareType[]): void {
    this.types.clear();
    for (const o of objs) this.apply('resync', o);
  }

  onChange(listener: (type: TypeEvent, name: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(name: string): MiddlewareType | undefined {
    return this.types.get(name);
  }

  names(): string[] {
    return [...this.types.keys()].sort();
  }

  /**
   * (type, pluginVersion, middlewareVersion?) -> the concrete plugin. Without a middleware version
   * the plugin version's default is used. Throws PluginResolveError naming what exists.
   */
  resolve(typeName: string, pluginVersion: string, middlewareVersion?: string): ResolvedPlugin {
    const type = this.types.get(typeName);
    if (!type) {
      throw new PluginResolveError(
        'spec.type',
        typeName,
        `unknown type ${typeName}`,
        this.names(),
        'known types',
      );
    }
    const versions = type.spec?.versions ?? [];
    const version = versions.find((v) => v.pluginVersion === pluginVersion);
    if (!version) {
      throw new PluginResolveError(
        'spec.pluginVersion',
        pluginVersion,
        `${typeName} has no plugin version ${pluginVersion}`,
        versions.map((v) => v.pluginVersion),
        'published',
      );
    }
    const supported = version.supportedVersions ?? [];
    const middleware =
      middlewareVersion === undefined
        ? defaultMiddlewareVersion(version)
        : supported.find((s) => s.version === middlewareVersion);
    if (!middleware) {
      throw new PluginResolveError(
        'spec.middlewareVersion',
        middlewareVersion,
        middlewareVersion === undefined
          ? `${typeName} ${pluginVersion} lists no middleware version`
          : `middleware version ${middlewareVersion} is not supported by ${typeName} ${pluginVersion}`,
        supported.map((s) => s.version),
        'supported',
      );
    }
    return {
      typeName,
      type,
      version,
      middleware,
      hookPort: version.lifecycleHooks?.port ?? DEFAULT_HOOK_PORT,
    };
  }

  /** Whether an instance may upgrade in place from one plugin version to another (direct edges only). */
  canUpgrade(typeName: string, from: string, to: string): UpgradeVerdict {
    const type = this.types.get(typeName);
    if (!type)
      return {
        ok: false,
        reason: `unknown type ${typeName}; known types: ${this.names().join(', ') || '(none)'}`,
      };
    return upgradeVerdict(type, from, to);
  }

  summaries(): TypeSummary[] {
    return summarizeTypes([...this.types.values()]);
  }
}

/** What `kubectl mw types` shows: each type, its plugin versions and their middleware versions. */
export function summarizeTypes(types: MiddlewareType[]): TypeSummary[] {
  return [...types]
    .sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)))
    .map((t) => ({
      name: String(t.metadata?.name),
      ...(t.spec?.displayName ? { displayName: t.spec.displayName } : {}),
      pluginVersions: (t.spec?.versions ?? []).map((v: MiddlewareTypeVersion) => {
        const def = defaultMiddlewareVersion(v)?.version;
        return {
          pluginVersion: v.pluginVersion,
          upgradeFrom: v.upgradeFrom ?? [],
          deprecated: v.deprecated === true,
          middlewareVersions: (v.supportedVersions ?? []).map((s) => s.version),
          ...(def ? { defaultMiddlewareVersion: def } : {}),
        };
      }),
    }));
}
