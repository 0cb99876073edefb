export { type ConfigCatalog, configCatalog, type FieldSchema } from './catalog.ts';
export { checkObject, checkValue, closest, describeAccepted } from './check.ts';
export { checkMiddlewareType } from './check-type.ts';
export { CueError, type CueRuntime, cueRuntime } from './cue-runtime.ts';
export { filesChecksum, renderTemplate, type TemplateContext } from './templates.ts';
export type { ConfigError, ConfigResult, RenderedConfig } from './types.ts';
export {
  formatConfigError,
  OVERRIDES_PATH,
  PRESET_PATH,
  templateContext,
  type ValidateConfigOptions,
  validateConfig,
  validateConfigWith,
} from './validate-config.ts';
