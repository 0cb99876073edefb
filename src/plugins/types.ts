// What the registry hands to planners: one fully resolved (type, pluginVersion, middlewareVersion).
import type { MiddlewareType, MiddlewareTypeVersion, SupportedVersion } from '../api/index.ts';

export interface ResolvedPlugin {
  /** MiddlewareType name, for example redis. */
  typeName: string;
  /** The MiddlewareType object the version came from (for ownerless references and labels). */
  type: MiddlewareType;
  /** The published plugin version, exactly as stored. */
  version: MiddlewareTypeVersion;
  /** The middleware version picked (explicit or the version's default). */
  middleware: SupportedVersion;
  /** Port of the hook agent (lifecycleHooks.port, default 8080). */
  hookPort: number;
}
