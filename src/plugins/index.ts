export { PluginResolveError } from './errors.ts';
export { type RunningTypeRegistry, startTypeRegistry } from './informer.ts';
export {
  DEFAULT_HOOK_PORT,
  summarizeTypes,
  type TypeEvent,
  TypeRegistry,
  type TypeSummary,
} from './registry.ts';
export type { ResolvedPlugin } from './types.ts';
export {
  defaultMiddlewareVersion,
  diffPublishedVersions,
  type PublishedVersionsDiff,
  type UpgradeVerdict,
  upgradePath,
  upgradeVerdict,
} from './versions.ts';
