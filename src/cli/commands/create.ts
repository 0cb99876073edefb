// kubectl mw create <type> <name>: sensible defaults, local validation before anything is sent,
// and with --wait a live view of the create workflow, then how to connect.
import { type Command, Option } from 'commander';
import {
  formatFieldError,
  type MiddlewareInstance,
  MiddlewareInstanceKind,
  type MiddlewareType,
  type MiddlewareTypeVersion,
  validateAgainstSchema,
} from '../../api/index.ts';
import {
  configCatalog,
  cueRuntime,
  formatConfigError,
  OVERRIDES_PATH,
  validateConfig,
} from '../../config/index.ts';
import { isConflict } from '../../kube/errors.ts';
import { TypeRegistry } from '../../plugins/registry.ts';
import { catalogKeys, flatDottedKeys } from '../config-keys.ts';
import { cliContext } from '../context.ts';
import { pickPluginVersion, planCreate } from '../create-plan.ts';
import { CliError } from '../errors.ts';
import { formatObjects, objectName } from '../output.ts';
import { parseTimeout, waitForInstance } from '../progress.ts';
import { denied, getType, instancePath } from '../resources.ts';
import { parseSetValues } from '../set-values.ts';
import { connectionText } from './connect.ts';

interface CreateFlags {
  version?: string;
  pluginVersion?: string;
  replicas?: string;
  preset?: string;
  set: string[];
  storage?: string;
  storageClass?: string;
  expose?: string | boolean;
  dryRun?: boolean;
  wait?: boolean;
  timeout: string;
  output?: string;
}

const collect = (value: string, prev: string[]) => [...prev, value];

export function parseReplicas(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) {
    throw new CliError(`--replicas ${value}: not a whole number`, 'pass a count such as --replicas 3');
  }
  return Number(value);
}

export function register(program: Command): void {
  program
    .command('create <type> <name>')
    .description(
      'Create a middleware instance with sensible defaults (newest plugin, default version, small preset)',
    )
    .option('--version <version>', "middleware version, e.g. 7.2.11 (default: the plugin version's default)")
    .option('--plugin-version <version>', 'plugin version, e.g. v2 (default: the newest)')
    .option('--replicas <n>', "number of members (default: the plugin's minimum)")
    .option('--preset <name>', 'config preset (default: small)')
    .addOption(
      new Option('--set <key=value>', 'override one config key; repeat it; nested keys with dots (a.b=1)')
        .argParser(collect)
        .default([], 'none'),
    )
    .option('--storage <size>', "data volume size per member, e.g. 10Gi (default: the preset's)")
    .option('--storage-class <name>', 'StorageClass of the data volumes (default: the cluster default)')
    .option('--expose [serviceType]', 'expose outside the cluster: LoadBalancer (the default) or NodePort')
    .option('--dry-run', 'validate locally and with the API server (admission included), create nothing')
    .option('--wait', 'follow the create workflow step by step, then print how to connect')
    .option('--timeout <duration>', 'how long --wait waits', '10m')
    .option('-o, --output <format>', 'yaml or json: print the object sent')
    .action(async (typeName: string, name: string, flags: CreateFlags, cmd: Command) => {
      const ctx = cliContext(cmd);
      const timeoutMs = parseTimeout(flags.timeout);
      const replicas = parseReplicas(flags.replicas);
      const type = await getType(ctx, typeName);
      const version = pickPluginVersion(type, flags.pluginVersion);
      const configKeys = await catalogKeysOf(typeName, version);
      const set = parseSetValues(flags.set, flatDottedKeys(configKeys));
      const plan = planCreate(type, {
        name,
        namespace: ctx.namespace,
        set,
        configKeys,
        ...(flags.version !== undefined ? { version: flags.version } : {}),
        ...(flags.pluginVersion !== undefined ? { pluginVersion: flags.pluginVersion } : {}),
        ...(replicas !== undefined ? { replicas } : {}),
        ...(flags.preset !== undefined ? { preset: flags.preset } : {}),
        ...(flags.storage !== undefined ? { storage: flags.storage } : {}),
        ...(flags.storageClass !== undefined ? { storageClass: flags.storageClass } : {}),
        ...(flags.expose !== undefined
          ? { expose: flags.expose === true ? 'LoadBalancer' : String(flags.expose) }
          : {}),
      });
      validateLocally(plan.instance);
      await validateConfigLocally(type, plan.instance);

      let created: MiddlewareInstance;
      try {
        created = await ctx.rest.post<MiddlewareInstance>(instancePath(ctx.namespace), plan.instance, {
          ...(flags.dryRun
            ? { query: { dryRun: 'All', fieldManager: 'kubectl-mw' } }
            : { query: { fieldManager: 'kubectl-mw' } }),
        });
      } catch (err) {
        if (isConflict(err)) {
          throw new CliError(
            `instance ${name} already exists in namespace ${ctx.namespace}`,
            `pick another name, or look at it with \`kubectl mw describe ${name} -n ${ctx.namespace}\``,
          );
        }
        throw denied(ctx, err, 'create', 'middlewareinstances', ctx.namespace);
      }
      if (flags.output === 'yaml' || flags.output === 'json') {
        ctx.out.write(formatObjects([flags.dryRun ? created : plan.instance], flags.output, true));
      } else {
        ctx.out.write(
          `${objectName('MiddlewareInstance', name)} ${flags.dryRun ? 'created (server dry run)' : 'created'}\n`,
        );
        if (plan.defaults.length > 0) ctx.out.write(`defaults: ${plan.defaults.join(', ')}\n`);
      }
      if (flags.dryRun) return;
      if (!flags.wait) {
        ctx.out.write(
          `next: \`kubectl mw describe ${name} -n ${ctx.namespace}\` to follow it, \`kubectl mw connect ${name} -n ${ctx.namespace}\` once it is Running\n`,
        );
        return;
      }
      const ready = await waitForInstance(ctx, name, { timeoutMs });
      ctx.out.write(`\n${name} is Running.\n\n`);
      ctx.out.write(await connectionText(ctx, ready, {}));
    });
}

/** The schema check the API server would do, before anything is sent. */
function validateLocally(instance: MiddlewareInstance): void {
  const errors = validateAgainstSchema(MiddlewareInstanceKind, instance);
  if (errors.length > 0) {
    throw new CliError(
      `the instance would be invalid:\n${errors.map((e) => `  ${formatFieldError(e)}`).join('\n')}`,
      'fix the flags that set these fields (kubectl mw create --help lists them)',
    );
  }
}

/** The config keys from the plugin's CUE (the same catalog the operator and webhook use). */
export async function catalogKeysOf(typeName: string, version: MiddlewareTypeVersion): Promise<string[]> {
  if (!version.configTemplate?.trim()) return [];
  try {
    return catalogKeys(configCatalog(await cueRuntime(), version.configTemplate).root);
  } catch (err) {
    throw new CliError(
      `${typeName} plugin ${version.pluginVersion} has a config schema that does not compile: ${(err as Error).message}`,
      'this is a defect of the MiddlewareType; tell the platform admin, or pick another --plugin-version',
    );
  }
}

/**
 * The config, preset plus --set values, through the plugin's CUE with src/config's validateConfig:
 * the same check the webhook and the operator run, with the same messages.
 */
export async function validateConfigLocally(
  type: MiddlewareType,
  instance: MiddlewareInstance,
): Promise<void> {
  const registry = new TypeRegistry();
  registry.apply('add', type);
  const plugin = registry.resolve(
    instance.spec.type,
    instance.spec.pluginVersion,
    instance.spec.middlewareVersion,
  );
  const result = await validateConfig(plugin, instance);
  if (result.ok) return;
  const lines = result.errors.map((e) => `  ${formatConfigError(e).replace(`${OVERRIDES_PATH}.`, '--set ')}`);
  throw new CliError(
    `the config would be invalid:\n${lines.join('\n')}`,
    'fix the --set values named above; each line says what is accepted',
  );
}
