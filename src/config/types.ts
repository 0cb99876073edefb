// The result of validating and rendering an instance's config (src/config/validate-config.ts).

export interface ConfigError {
  /** Dotted path inside the config, prefixed with where it came from, e.g. spec.config.overrides.maxmemory. */
  path: string;
  /** The value the user gave, when there was one. */
  value?: unknown;
  /** What is accepted: enum values, bounds, type, or the known keys. */
  message: string;
}

export interface RenderedConfig {
  /** Preset values merged with the overrides, after CUE defaults: what the templates saw. */
  values: Record<string, unknown>;
  /** Rendered config files by file name (the ConfigMap data). */
  files: Record<string, string>;
  /** sha256 over the files, used as a pod-template annotation so config changes are noticed. */
  checksum: string;
}

export type ConfigResult = { ok: true; config: RenderedConfig } | { ok: false; errors: ConfigError[] };
