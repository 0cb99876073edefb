// The real dependencies of the admission validators: the live TypeRegistry, CUE through
// validateConfig, the namespace's ResourceQuotas and reference lookups, read with plain GETs.
// Nothing here writes, so a dry-run request gets the same answer as a real one at no cost.
import type { V1ConfigMap, V1ResourceQuota } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import type { BackupStorage, MiddlewareBackup, MiddlewareInstance } from '../api/index.ts';
import { validateConfig } from '../config/index.ts';
import type { ConfigResult } from '../config/types.ts';
import { isNotFound } from '../kube/errors.ts';
import type { KubeRest } from '../kube/rest.ts';
import { middlewareTypeValidator } from '../plugins/admission.ts';
import type { TypeRegistry } from '../plugins/registry.ts';
import type { ResolvedPlugin } from '../plugins/types.ts';
import { instanceFootprint, scheduledBackupApplies } from '../render/resources.ts';
import type { Validator } from '../webhook/admission.ts';
import { checkQuotas } from '../webhook/quota.ts';
import { type InstanceAdmissionDeps, instanceValidator } from '../webhook/validate-instance.ts';
import {
  backupValidator,
  operationValidator,
  type ReferenceLookups,
  storageValidator,
} from '../webhook/validate-others.ts';

const GROUP = '/apis/mwop.dev/v1alpha1';

async function getOrUndefined<T>(rest: KubeRest, path: string): Promise<T | undefined> {
  try {
    return await rest.get<T>(path, { timeoutMs: 3_000 });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export function referenceLookups(rest: KubeRest): ReferenceLookups {
  return {
    instance: (ns, name) =>
      getOrUndefined<MiddlewareInstance>(rest, `${GROUP}/namespaces/${ns}/middlewareinstances/${name}`),
    backup: (ns, name) =>
      getOrUndefined<MiddlewareBackup>(rest, `${GROUP}/namespaces/${ns}/middlewarebackups/${name}`),
    storage: (name) => getOrUndefined<BackupStorage>(rest, `${GROUP}/backupstorages/${name}`),
    async storageNames() {
      const list = await rest.get<{ items: BackupStorage[] }>(`${GROUP}/backupstorages`, {
        timeoutMs: 3_000,
      });
      return list.items.map((s) => s.metadata?.name ?? '').sort();
    },
  };
}

/** CUE validation, with the values of a configRef ConfigMap read first. */
export async function validateInstanceConfig(
  rest: KubeRest,
  plugin: ResolvedPlugin,
  instance: MiddlewareInstance,
): Promise<ConfigResult> {
  const ref = instance.spec.config?.configRef;
  if (!ref) return validateConfig(plugin, instance);
  const ns = instance.metadata?.namespace ?? '';
  const cm = await getOrUndefined<V1ConfigMap>(rest, `/api/v1/namespaces/${ns}/configmaps/${ref.name}`);
  const text = cm?.data?.['config.yaml'];
  const fail = (message: string): ConfigResult => ({
    ok: false,
    errors: [{ path: 'spec.config.configRef.name', value: ref.name, message }],
  });
  if (!cm)
    return fail(
      `no ConfigMap "${ref.name}" in namespace ${ns}; accepted: a ConfigMap whose config.yaml holds a map of config keys`,
    );
  if (text === undefined)
    return fail(
      `ConfigMap ${ref.name} has no key config.yaml; accepted: config.yaml holding a map of config keys`,
    );
  let values: unknown;
  try {
    values = parseYaml(text);
  } catch (err) {
    return fail(`config.yaml of ConfigMap ${ref.name} is not YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (values === null || typeof values !== 'object' || Array.isArray(values))
    return fail(`config.yaml of ConfigMap ${ref.name} is not a map; accepted: a map of config keys`);
  return validateConfig(plugin, instance, { configRefValues: values as Record<string, unknown> });
}

/**
 * Quota violations of an instance: its whole footprint on create; on update, only its growth
 * over the old object's footprint (what exists is already counted in the quota's `used`).
 */
export async function quotaViolations(
  rest: KubeRest,
  registry: Pick<TypeRegistry, 'resolve'>,
  instance: MiddlewareInstance,
  plugin: ResolvedPlugin,
  old: MiddlewareInstance | undefined,
  opts: { certManager?: boolean } = {},
): Promise<string[]> {
  const ns = instance.metadata?.namespace ?? '';
  const list = await rest.get<{ items: V1ResourceQuota[] }>(`/api/v1/namespaces/${ns}/resourcequotas`, {
    timeoutMs: 3_000,
  });
  if (list.items.length === 0) return [];
  const footprintOf = (i: MiddlewareInstance, p: ResolvedPlugin) =>
    instanceFootprint({
      instance: i,
      plugin: p,
      backupDue: scheduledBackupApplies(i),
      ...(opts.certManager === undefined ? {} : { certManager: opts.certManager }),
    });
  let current: ReturnType<typeof footprintOf> | undefined;
  if (old) {
    try {
      const oldPlugin = registry.resolve(old.spec.type, old.spec.pluginVersion, old.spec.middlewareVersion);
      current = footprintOf(old, oldPlugin);
    } catch {
      // The old object's plugin is gone: judge the new object as a whole, the cautious answer.
      current = undefined;
    }
  }
  const check = checkQuotas(footprintOf(instance, plugin), list.items, current ? { current } : {});
  return check.violations.map((v) => v.message);
}

/** Validators by kind, over the live registry and the API server. */
export function admissionValidators(
  rest: KubeRest,
  registry: TypeRegistry,
  opts: { certManager?: boolean } = {},
): Record<string, Validator> {
  const look = referenceLookups(rest);
  const deps: InstanceAdmissionDeps = {
    resolve: (t, pv, mv) => registry.resolve(t, pv, mv),
    canUpgrade: (t, from, to) => registry.canUpgrade(t, from, to),
    validateConfig: (plugin, instance) => validateInstanceConfig(rest, plugin, instance),
    quotaViolations: (instance, plugin, old) => quotaViolations(rest, registry, instance, plugin, old, opts),
    references: look,
  };
  return {
    MiddlewareInstance: instanceValidator(deps),
    MiddlewareType: middlewareTypeValidator(),
    MiddlewareBackup: backupValidator(look),
    MiddlewareOperation: operationValidator(look),
    BackupStorage: storageValidator(),
  };
}
