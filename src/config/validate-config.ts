// validateConfig: preset + overrides (key by key, FR-013) -> field checks from the CUE-derived
// catalog -> CUE itself as the final authority (defaults, cross-field rules) -> the config files,
// rendered with Handlebars (FR-020, FR-030). Every error names the field path, the value given and
// what is accepted; cue-wasm's own terse messages are never shown alone.
import type { InstanceConfig, MiddlewareInstance, Preset } from '../api/index.ts';
import type { ResolvedPlugin } from '../plugins/types.ts';
import { names } from '../render/meta.ts';
import {
  CONFIG_DEFINITION,
  type ConfigCatalog,
  configCatalog,
  configCatalogFrom,
  type FieldSchema,
  RULES_DEFINITION,
} from './catalog.ts';
import { checkObject, describeAccepted, type FieldProblem, joinPath } from './check.ts';
import { type CueJob, type CueOutcome, cueEvaluator, evaluateFresh, evaluateSync } from './cue-evaluator.ts';
import type { CueRuntime } from './cue-runtime.ts';
import { filesChecksum, renderTemplate, type TemplateContext } from './templates.ts';
import type { ConfigError, ConfigResult } from './types.ts';

export const OVERRIDES_PATH = 'spec.config.overrides';
export const PRESET_PATH = 'spec.config.preset';

export interface ValidateConfigOptions {
  /** The values of the ConfigMap named by spec.config.configRef (its config.yaml), already read. */
  configRefValues?: Record<string, unknown>;
  /** validateConfigWith only: ask CUE even when its outcome is remembered, and keep nothing (test oracles). */
  fresh?: boolean;
}

/** Where a value came from, so its error carries the path the user has to edit. */
type Origin = { kind: 'override'; base: string } | { kind: 'preset'; preset: string };

export async function validateConfig(
  plugin: ResolvedPlugin,
  instance: MiddlewareInstance,
  options: ValidateConfigOptions = {},
): Promise<ConfigResult> {
  // CUE through the process-wide evaluator: remembered outcomes, batches, worker threads. The
  // catalog too: with workers, this thread never loads a CUE runtime.
  const evaluator = cueEvaluator();
  const template = plugin.version.configTemplate;
  const catalog =
    template?.trim() &&
    (await configCatalogFrom(template, (source) => evaluator.openapi(source)).catch((err: Error) => err));
  const step = planConfig(
    () => {
      if (!catalog || catalog instanceof Error) throw catalog;
      return catalog;
    },
    plugin,
    instance,
    options,
  );
  return 'result' in step ? step.result : step.finish(await evaluator.evaluate(step.job));
}

/** The same, with the CUE runtime passed in and CUE run in this thread (benchmarks, type checks). */
export function validateConfigWith(
  cue: CueRuntime,
  plugin: ResolvedPlugin,
  instance: MiddlewareInstance,
  options: ValidateConfigOptions = {},
): ConfigResult {
  const step = planConfig((template) => configCatalog(cue, template), plugin, instance, options);
  if ('result' in step) return step.result;
  return step.finish(options.fresh ? evaluateFresh(cue, step.job) : evaluateSync(cue, step.job));
}

/** Steps 1 to 3, and what to do with CUE's outcome when CUE has to be asked. */
type ConfigStep = { result: ConfigResult } | { job: CueJob; finish: (outcome: CueOutcome) => ConfigResult };

function planConfig(
  catalogOf: (template: string) => ConfigCatalog,
  plugin: ResolvedPlugin,
  instance: MiddlewareInstance,
  options: ValidateConfigOptions,
): ConfigStep {
  const label = `${plugin.typeName} ${plugin.version.pluginVersion}`;
  const config: InstanceConfig = instance.spec.config ?? {};
  const errors: ConfigError[] = [];

  // 1. The preset: named, else the version's default, else none.
  const presets = plugin.version.presets ?? [];
  let preset: Preset | undefined;
  if (config.preset !== undefined) {
    preset = presets.find((p) => p.name === config.preset);
    if (!preset) {
      errors.push({
        path: PRESET_PATH,
        value: config.preset,
        message: presets.length
          ? `unknown preset for ${label}; accepted: ${presets.map((p) => p.name).join(', ')}`
          : `${label} defines no presets; accepted: no spec.config.preset`,
      });
      return { result: { ok: false, errors } };
    }
  } else {
    preset = presets.find((p) => p.default);
  }

  // 2. The user's values: inline overrides, or the referenced ConfigMap's.
  let userValues: Record<string, unknown> = {};
  let userBase = OVERRIDES_PATH;
  if (config.configRef) {
    userBase = `spec.config.configRef(${config.configRef.name}).config.yaml`;
    if (!options.configRefValues) {
      return {
        result: {
          ok: false,
          errors: [
            {
              path: 'spec.config.configRef',
              value: config.configRef.name,
              message:
                'the ConfigMap was not read; accepted: a ConfigMap in the instance namespace whose config.yaml holds a map of config keys',
            },
          ],
        },
      };
    }
    userValues = options.configRefValues;
  } else if (config.overrides) {
    userValues = config.overrides as Record<string, unknown>;
  }

  const presetValues = (preset?.config ?? {}) as Record<string, unknown>;
  // The user's keys first, in their order, so errors come in the order the user wrote them.
  const merged: Record<string, unknown> = { ...userValues };
  for (const [k, v] of Object.entries(presetValues)) if (!Object.hasOwn(merged, k)) merged[k] = v;
  const origin = (key: string): Origin =>
    Object.hasOwn(userValues, key)
      ? { kind: 'override', base: userBase }
      : { kind: 'preset', preset: preset?.name ?? '' };
  const toError = (p: FieldProblem): ConfigError => {
    const [key = '', ...rest] = p.path;
    const o = origin(key);
    if (o.kind === 'override')
      return { path: joinPath([userBase, key, ...rest]), value: p.value, message: p.message };
    return {
      path: PRESET_PATH,
      value: p.value,
      message: `preset ${o.preset} of ${label} sets ${joinPath(p.path)}, which is invalid: ${p.message} (a defect of the MiddlewareType; override ${key} or pick another preset)`,
    };
  };

  const template = plugin.version.configTemplate;
  if (template === undefined || template.trim() === '') {
    // A type without a schema cannot say which keys exist, so it accepts none from the user.
    if (Object.keys(userValues).length > 0) {
      return {
        result: {
          ok: false,
          errors: Object.entries(userValues).map(([key, value]) => ({
            path: `${userBase}.${key}`,
            value,
            message: `unknown key: ${label} declares no config schema (configTemplate); accepted: no overrides`,
          })),
        },
      };
    }
    return { result: renderFiles(plugin, instance, merged) };
  }
  let catalog: ConfigCatalog;
  try {
    catalog = catalogOf(template);
  } catch (err) {
    return { result: { ok: false, errors: [typeDefect(plugin, err)] } };
  }
  // 3. Field by field: every problem at once, each in words.
  const problems = checkObject(catalog.root, merged, [], label);
  if (problems.length > 0) return { result: { ok: false, errors: problems.map(toError) } };
  // 4. CUE decides: defaults and any rule across fields.
  const job: CueJob = {
    schema: withoutCommentLines(template),
    expr: `#${CONFIG_DEFINITION}${catalog.hasRules ? ` & ${RULES_DEFINITION}` : ''}`,
    values: JSON.stringify(merged),
  };
  return {
    job,
    finish: (outcome) =>
      outcome.ok
        ? renderFiles(plugin, instance, outcome.values)
        : { ok: false, errors: [cueError(outcome.error, catalog, merged, toError, label)] },
  };
}

/** 5. The config files. */
function renderFiles(
  plugin: ResolvedPlugin,
  instance: MiddlewareInstance,
  values: Record<string, unknown>,
): ConfigResult {
  const context = templateContext(plugin, instance, values);
  const files: Record<string, string> = {};
  for (const f of plugin.version.configFiles ?? []) {
    try {
      files[f.name] = renderTemplate(f.template, context);
    } catch (err) {
      return {
        ok: false,
        errors: [
          {
            path: `MiddlewareType ${plugin.typeName} ${plugin.version.pluginVersion} configFiles[name=${f.name}].template`,
            message: `does not render: ${(err as Error).message.split('\n')[0]}; accepted: a Handlebars template over config, instance, members and plugin`,
          },
        ],
      };
    }
  }
  return { ok: true, config: { values, files, checksum: filesChecksum(files) } };
}

/**
 * The CUE source without its comment lines, for evaluation only (the catalog reads the comments).
 * CUE keeps comments as documentation on every value, which doubles the evaluation time of a
 * well-commented schema. A multi-line string (""") keeps its lines.
 */
const uncommented = new Map<string, string>();
function withoutCommentLines(source: string): string {
  let out = uncommented.get(source);
  if (out === undefined) {
    out = source.includes('"""')
      ? source
      : source
          .split('\n')
          .filter((l) => !l.trimStart().startsWith('//'))
          .join('\n');
    if (uncommented.size >= 256) uncommented.clear();
    uncommented.set(source, out);
  }
  return out;
}

export function templateContext(
  plugin: ResolvedPlugin,
  instance: MiddlewareInstance,
  values: Record<string, unknown>,
): TemplateContext {
  const name = instance.metadata?.name ?? 'instance';
  const namespace = instance.metadata?.namespace ?? 'default';
  const replicas = instance.spec.replicas ?? 1;
  // The same names the renderer gives the StatefulSet and its headless Service.
  const n = names({ ...instance, metadata: { ...instance.metadata, name } });
  const headlessService = n.headlessService;
  return {
    config: values,
    instance: { name, namespace, uid: instance.metadata?.uid ?? '', replicas, headlessService },
    members: Array.from({ length: replicas }, (_, ordinal) => ({
      ordinal,
      name: `${n.statefulSet}-${ordinal}`,
      host: `${n.statefulSet}-${ordinal}.${headlessService}.${namespace}.svc`,
    })),
    plugin: {
      type: plugin.typeName,
      version: plugin.version.pluginVersion,
      middlewareVersion: plugin.middleware.version,
    },
  };
}

function typeDefect(plugin: ResolvedPlugin, err: unknown): ConfigError {
  return {
    path: `MiddlewareType ${plugin.typeName} ${plugin.version.pluginVersion} configTemplate`,
    message: `${(err as Error).message}; the type's CUE must compile and define #${CONFIG_DEFINITION} (a defect of the MiddlewareType, not of this instance)`,
  };
}

/**
 * A CUE error that the field checks did not foresee (a rule across fields, say). CUE's text is
 * "mwopInstanceConfig.<key>: <what>"; we name the key the user wrote, its value and what the key accepts.
 */
export function cueError(
  text: string,
  catalog: ConfigCatalog,
  merged: Record<string, unknown>,
  toError: (p: FieldProblem) => ConfigError,
  label: string,
): ConfigError {
  const m =
    /^mwopInstanceConfig(?:\.((?:"(?:[^"\\]|\\.)*"|[^:\s."]+)(?:\.(?:"(?:[^"\\]|\\.)*"|[^:\s."]+))*))?: (.*)$/s.exec(
      text.trim(),
    );
  if (!m) return { path: OVERRIDES_PATH, message: `rejected by the ${label} config schema: ${text}` };
  const keys = m[1] ? splitCuePath(m[1]) : [];
  const what = m[2]!.replace(/\s*\(and \d+ more errors?\)$/, '');
  let schema: FieldSchema | undefined = catalog.root;
  let value: unknown = merged;
  for (const k of keys) {
    schema = schema?.properties?.[k];
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[k] : undefined;
  }
  if (keys.length === 0)
    return { path: OVERRIDES_PATH, message: `rejected by the ${label} config schema: ${what}` };
  const rule = keys.length === 1 ? catalog.rules[keys[0]!] : undefined;
  if (rule) return toError({ path: keys, value, message: `breaks a rule of ${label}: ${rule}` });
  const accepted = schema ? `; accepted: ${describeAccepted(schema)}` : '';
  return toError({
    path: keys,
    value,
    message: `rejected by the ${label} config schema: ${what}${accepted}`,
  });
}

function splitCuePath(path: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|([^."]+)/g;
  for (let m = re.exec(path); m; m = re.exec(path))
    out.push(m[1] !== undefined ? JSON.parse(`"${m[1]}"`) : m[2]!);
  return out;
}

/** One line per error, as the webhook and the CLI print them. */
export function formatConfigError(e: ConfigError): string {
  return `${e.path}: ${e.message}${e.value === undefined ? '' : ` (got ${JSON.stringify(e.value)})`}`;
}
