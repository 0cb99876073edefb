// Binds the pure planners and renderers to the controllers. The only place that knows them all.
import type { MiddlewareInstance, MiddlewareOperation } from '../api/index.ts';
import { validateConfig } from '../config/index.ts';
import { backupControllers } from '../controllers/backup/controller.ts';
import type { BackupDeps } from '../controllers/backup/reconcile.ts';
import {
  ensureSafetyBackup,
  safetyBackupName,
  safetyBackupObject,
} from '../controllers/backup/safety-backup.ts';
import { ensureNamespaceCredentials } from '../controllers/backup/storage-access.ts';
import { instanceController } from '../controllers/instance/controller.ts';
import type { InstanceDeps } from '../controllers/instance/deps.ts';
import { operationController } from '../controllers/operation/controller.ts';
import type { OperationDeps } from '../controllers/operation/reconcile.ts';
import { storageController } from '../controllers/storage/controller.ts';
import type { Clock } from '../kube/clock.ts';
import { systemClock } from '../kube/clock.ts';
import type { Controller } from '../kube/controller.ts';
import { TerminalError } from '../kube/errors.ts';
import { TypeRegistry } from '../plugins/index.ts';
import type { ResolvedPlugin } from '../plugins/types.ts';
import { compareQuantities, instanceRenderer } from '../render/index.ts';
import {
  mirrorInstanceWorkflow,
  planInstanceWorkflow,
  planWorkflow,
  type WorkflowOperation,
} from '../workflows/index.ts';
import type { Caches } from './caches.ts';
import type { OperatorContext } from './context.ts';
import type { Integrations } from './integrations.ts';
import { WorkflowRbacEnsurer } from './workflow-rbac.ts';

export function wireControllers(
  ctx: OperatorContext,
  caches: Caches,
  integrations: Integrations,
  clock: Clock = systemClock,
): Controller[] {
  const { rest, config } = ctx;
  const registry = new TypeRegistry();
  caches.types.on((event, obj) => registry.apply(event, obj));
  const rbac = new WorkflowRbacEnsurer(rest);
  const observed = { operatorImage: config.operatorImage };
  const resolve = (t: string, pv: string, mv?: string) => registry.resolve(t, pv, mv);

  /** The S3 source of a restore, from a MiddlewareBackup or a raw S3 location. */
  const restoreTarget = async (
    instance: MiddlewareInstance,
    source: string,
    safetyBackup?: string,
    field = 'spec.restoreFrom.backup',
  ) => {
    const ns = instance.metadata.namespace!;
    let storageName: string;
    let metadataKey: string;
    let backupName: string;
    if (source.startsWith('backup:')) {
      backupName = source.slice('backup:'.length);
      const backup = caches.backups.get(ns, backupName);
      if (!backup)
        throw new TerminalError(`${field}: no MiddlewareBackup "${backupName}" in namespace ${ns}`);
      if (backup.status?.phase !== 'Succeeded' || !backup.status.metadataPath || !backup.status.storage) {
        throw new TerminalError(
          `${field}: backup ${backupName} is ${backup.status?.phase ?? 'Pending'}; only a Succeeded backup can be restored`,
        );
      }
      if (backup.status.type && backup.status.type !== instance.spec.type) {
        throw new TerminalError(
          `${field}: backup ${backupName} is of type ${backup.status.type}, but this instance is ${instance.spec.type}`,
        );
      }
      storageName = backup.status.storage;
      metadataKey = backup.status.metadataPath;
    } else {
      const [, storage, ...path] = source.split(':');
      storageName = storage!;
      metadataKey = path.join(':');
      backupName = metadataKey.split('/').slice(-2, -1)[0] ?? 'backup';
    }
    const storage = caches.storages.get(undefined, storageName);
    if (!storage) {
      const where = source.startsWith('backup:')
        ? `${field} (its status.storage)`
        : 'spec.restoreFrom.s3.storage';
      throw new TerminalError(`${where}: no BackupStorage "${storageName}"`);
    }
    const credentialsSecret = await ensureNamespaceCredentials(rest, storage, ns);
    return {
      kind: 'Restore' as const,
      backup: backupName,
      metadataKey,
      storage: storage.spec,
      credentialsSecret,
      ...(safetyBackup ? { safetyBackup } : {}),
    };
  };

  const instanceDeps: InstanceDeps = {
    resolve,
    canUpgrade: (t, from, to) => registry.canUpgrade(t, from, to),
    validateConfig: (plugin, instance) => validateConfig(plugin, instance),
    renderObjects: instanceRenderer({
      agentImage: config.agentImage,
      operatorNamespace: config.leaseNamespace,
      certManager: integrations.certManager,
      prometheusOperator: integrations.prometheusOperator,
    }),
    async planWorkflow(input) {
      await rbac.ensure(input.instance.metadata.namespace!);
      let operation: WorkflowOperation;
      if (input.operation.kind !== 'Restore') {
        operation = input.operation;
      } else {
        try {
          operation = await restoreTarget(input.instance, input.operation.source);
        } catch (err) {
          // The instance reconciler writes the error into status (SpecApplied, RestorePlanningFailed);
          // the event makes it visible in `kubectl describe` too.
          if (err instanceof TerminalError) {
            ctx.events.record(input.instance, 'Warning', 'RestoreFailed', err.message, 'Restore');
          }
          throw err;
        }
      }
      return planInstanceWorkflow({ ...input, operation }, observed);
    },
    mirrorWorkflow: mirrorInstanceWorkflow,
    compareQuantity: compareQuantities,
  };

  const operationDeps: OperationDeps = {
    resolve,
    async planWorkflow({ operation, instance, plugin, name }) {
      await rbac.ensure(instance.metadata.namespace!);
      const op = await operationFor(operation, instance, restoreTarget);
      const wf = planWorkflow(op, plugin, instance, {
        ...observed,
        name,
        ...(operation.spec.activeDeadlineSeconds
          ? { activeDeadlineSeconds: operation.spec.activeDeadlineSeconds }
          : {}),
      });
      if (op.kind === 'Restore' && op.safetyBackup) {
        // Visible before the workflow starts, so a user can roll back to it (and see it fail).
        const source = caches.backups.get(instance.metadata.namespace, operation.spec.restore!.backup);
        const storage = source?.status?.storage ?? source?.spec.storage ?? instance.spec.backup?.storage;
        if (!storage) {
          throw new TerminalError(
            `spec.restore.backup: backup ${operation.spec.restore!.backup} names no BackupStorage, so the safety backup has nowhere to go; accepted: a Succeeded backup with status.storage`,
          );
        }
        await ensureSafetyBackup(
          rest,
          safetyBackupObject({
            operation,
            instance,
            storage,
            workflow: name,
          }),
        );
      }
      return wf;
    },
    mirrorWorkflow: mirrorInstanceWorkflow,
  };

  const backupDeps: BackupDeps = {
    resolve,
    async planWorkflow(
      op: WorkflowOperation,
      plugin: ResolvedPlugin,
      instance: MiddlewareInstance,
      name: string,
    ) {
      await rbac.ensure(instance.metadata.namespace!);
      return planWorkflow(op, plugin, instance, { ...observed, name });
    },
    mirrorWorkflow: mirrorInstanceWorkflow,
  };

  return [
    instanceController(ctx, caches, instanceDeps),
    operationController(ctx, caches, operationDeps),
    ...backupControllers(ctx, caches, backupDeps, clock),
    storageController(ctx, caches, clock),
  ];
}

/** MiddlewareOperation -> the workflow operation it runs. */
async function operationFor(
  op: MiddlewareOperation,
  instance: MiddlewareInstance,
  restoreTarget: (
    i: MiddlewareInstance,
    source: string,
    safety?: string,
    field?: string,
  ) => Promise<WorkflowOperation>,
): Promise<WorkflowOperation> {
  const ordinal = (pod: string | undefined) => {
    if (!pod) return undefined;
    const m = new RegExp(`^${instance.metadata.name}-(\\d+)$`).exec(pod);
    if (!m) {
      throw new TerminalError(
        `spec.switchover.target: "${pod}" is not a member of ${instance.metadata.name}; accepted: ${instance.metadata.name}-0 to ${instance.metadata.name}-${(instance.status?.applied?.replicas ?? 1) - 1}`,
      );
    }
    return Number(m[1]);
  };
  switch (op.spec.type) {
    case 'Restart':
      return { kind: 'Restart' };
    case 'Switchover':
    case 'Failover': {
      const target = ordinal(op.spec.switchover?.target);
      return target === undefined ? { kind: op.spec.type } : { kind: op.spec.type, target };
    }
    case 'Restore': {
      const safety = op.spec.restore?.skipSafetyBackup ? undefined : safetyBackupName(op.metadata.name!);
      return restoreTarget(instance, `backup:${op.spec.restore!.backup}`, safety, 'spec.restore.backup');
    }
    case 'CustomHook':
      throw new TerminalError(
        `spec.type: CustomHook operations are not planned yet (issue 6 has no custom-hook DAG); use a declared lifecycle operation`,
      );
  }
}
