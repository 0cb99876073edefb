// MiddlewareInstance admission: schema, plugin resolution, middleware version, CUE config,
// replica bounds, the upgrade path, and the namespace's ResourceQuotas (FR-004). Every problem
// is collected, so the user fixes everything in one round.
import type { MiddlewareInstance } from '../api/index.ts';
import { formatFieldError, MiddlewareInstanceKind, validateAgainstSchema } from '../api/index.ts';
import type { ConfigResult } from '../config/types.ts';
import type { ResolvedPlugin } from '../plugins/types.ts';
import { type AdmissionRequest, allow, deny, type Verdict } from './admission.ts';
import { backupPolicyProblems, backupReferenceProblems } from './validate-backup-policy.ts';
import type { ReferenceLookups } from './validate-others.ts';

export interface InstanceAdmissionDeps {
  /** Throws with a message that lists what exists. */
  resolve(type: string, pluginVersion: string, middlewareVersion?: string): ResolvedPlugin;
  canUpgrade(type: string, from: string, to: string): { ok: true } | { ok: false; reason: string };
  validateConfig(plugin: ResolvedPlugin, instance: MiddlewareInstance): Promise<ConfigResult>;
  /** Quota violations of creating `instance` (or growing `old` into it), as full messages. */
  quotaViolations(
    instance: MiddlewareInstance,
    plugin: ResolvedPlugin,
    old?: MiddlewareInstance,
  ): Promise<string[]>;
  /** BackupStorage and MiddlewareBackup lookups for spec.backup and spec.restoreFrom; absent: not checked. */
  references?: ReferenceLookups;
}

export function instanceValidator(deps: InstanceAdmissionDeps) {
  return async (req: AdmissionRequest): Promise<Verdict> => {
    if (req.operation === 'DELETE' || !req.object) return allow();
    const raw = req.object as unknown as MiddlewareInstance;
    if (raw.metadata?.deletionTimestamp) return allow(); // finalizer updates during deletion
    const schemaErrors = validateAgainstSchema(MiddlewareInstanceKind, raw).map(formatFieldError);
    if (schemaErrors.length > 0) return deny(schemaErrors);
    // The request's namespace is authoritative; quota and configRef lookups read it.
    const instance =
      req.namespace && !raw.metadata?.namespace
        ? { ...raw, metadata: { ...raw.metadata, namespace: req.namespace } }
        : raw;
    const old = req.operation === 'UPDATE' ? (req.oldObject as unknown as MiddlewareInstance) : undefined;
    // Status and metadata-only updates never change what runs.
    if (old && JSON.stringify(old.spec) === JSON.stringify(instance.spec)) return allow();

    const spec = instance.spec;
    let plugin: ResolvedPlugin;
    try {
      plugin = deps.resolve(spec.type, spec.pluginVersion, spec.middlewareVersion);
    } catch (err) {
      return deny([(err as Error).message]);
    }
    const problems: string[] = [];
    const replicas = spec.replicas ?? 1;
    const { minReplicas, maxReplicas } = plugin.version.scalingRules;
    if (replicas < minReplicas || replicas > maxReplicas) {
      problems.push(
        `spec.replicas: ${replicas} is outside what ${spec.type} ${spec.pluginVersion} allows: ${minReplicas} to ${maxReplicas}`,
      );
    }
    if (old && old.spec.pluginVersion !== spec.pluginVersion) {
      const from = old.status?.applied?.pluginVersion ?? old.spec.pluginVersion;
      if (from !== spec.pluginVersion) {
        const verdict = deps.canUpgrade(spec.type, from, spec.pluginVersion);
        if (!verdict.ok)
          problems.push(
            `spec.pluginVersion: cannot upgrade ${spec.type} from ${from} to ${spec.pluginVersion}: ${verdict.reason}`,
          );
      }
    }
    problems.push(...backupPolicyProblems(instance));
    if (deps.references) problems.push(...(await backupReferenceProblems(instance, old, deps.references)));
    const config = await deps.validateConfig(plugin, instance);
    if (!config.ok) {
      for (const e of config.errors) {
        problems.push(
          `${e.path}: ${e.message}${e.value === undefined ? '' : ` (got ${JSON.stringify(e.value)})`}`,
        );
      }
    }
    if (problems.length > 0) return deny(problems);
    const quota = await deps.quotaViolations(instance, plugin, old);
    if (quota.length > 0) return deny(quota, 403);
    return allow();
  };
}
