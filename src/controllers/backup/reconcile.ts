// MiddlewareBackup: one run of the type's backup tool in its own pod, as a workflow step. The CR
// records where the data went and its checksum. A failed run is Failed, with the reason, and is
// never retried (edge case 4): take a new backup instead.
import type {
  BackupStorage,
  MiddlewareBackup,
  MiddlewareBackupStatus,
  MiddlewareInstance,
} from '../../api/index.ts';
import { ANNOTATION_SYNCED_FROM, metadataKey, parseMetadata } from '../../backup/metadata.ts';
import { createS3Client } from '../../backup/s3/client.ts';
import { getText } from '../../backup/s3/transfer.ts';
import { patchStatus } from '../../kube/apply.ts';
import { isConflict, isNotFound } from '../../kube/errors.ts';
import type { EventRecorder } from '../../kube/events.ts';
import { resourcePath } from '../../kube/gvr.ts';
import type { Cache } from '../../kube/informer.ts';
import { mergePatchBetween } from '../../kube/merge-patch.ts';
import type { KubeRest } from '../../kube/rest.ts';
import { audit, type Logger } from '../../log/logger.ts';
import type { ResolvedPlugin } from '../../plugins/types.ts';
import { boundedName } from '../../workflows/names.ts';
import type { WorkflowOperation } from '../../workflows/operations.ts';
import { setCondition } from '../conditions.ts';
import type { WorkflowLike } from '../instance/deps.ts';
import {
  ANNOTATION_TAKEN_BY_STEP,
  ANNOTATION_TAKEN_BY_WORKFLOW,
  type StepOutcome,
  workflowStepOutcome,
} from './safety-backup.ts';
import { ensureNamespaceCredentials, operatorS3Config } from './storage-access.ts';

export interface BackupDeps {
  resolve(type: string, pluginVersion: string, middlewareVersion?: string): ResolvedPlugin;
  planWorkflow(
    op: WorkflowOperation,
    plugin: ResolvedPlugin,
    instance: MiddlewareInstance,
    name: string,
  ): WorkflowLike | Promise<WorkflowLike>;
  mirrorWorkflow(wf: WorkflowLike): {
    phase: string;
    message?: string;
    failedStep?: string;
    finishedAt?: string;
  };
  /** Reads metadata.json of a finished backup; injectable so S3 access stays at the edge. */
  readMetadata?(storage: BackupStorage, key: string): Promise<string>;
}

export function backupWorkflowName(backup: string): string {
  return boundedName(`${backup}-backup`);
}

const TERMINAL = new Set(['Succeeded', 'Failed']);

export interface BackupReconcilerOptions {
  rest: KubeRest;
  backups: Cache<MiddlewareBackup>;
  instances: Cache<MiddlewareInstance>;
  storages: Cache<BackupStorage>;
  workflows: Cache<WorkflowLike>;
  deps: BackupDeps;
  events: EventRecorder;
  log: Logger;
  now?: () => Date;
}

export class BackupReconciler {
  private readonly o: BackupReconcilerOptions;

  constructor(opts: BackupReconcilerOptions) {
    this.o = opts;
  }

  private now(): string {
    return (this.o.now?.() ?? new Date()).toISOString();
  }

  async reconcile(key: string): Promise<{ requeueAfterMs?: number } | undefined> {
    const [namespace, name] = key.split('/') as [string, string];
    const backup = this.o.backups.get(namespace, name);
    if (!backup || backup.metadata.deletionTimestamp) return undefined;
    if (TERMINAL.has(backup.status?.phase ?? '')) return undefined;
    // Rebuilt from S3 by a catalog sync, whose status write follows the create: nothing to take.
    if (backup.metadata.annotations?.[ANNOTATION_SYNCED_FROM] && !backup.status?.phase) return undefined;

    const instance = this.o.instances.get(namespace, backup.spec.instanceRef.name);
    if (!instance) {
      return this.fail(
        backup,
        `spec.instanceRef.name: no MiddlewareInstance "${backup.spec.instanceRef.name}" in namespace ${namespace}`,
      );
    }
    const storageName = backup.spec.storage ?? instance.spec.backup?.storage;
    if (!storageName) {
      return this.fail(
        backup,
        `spec.storage: not set and instance ${instance.metadata.name} has no spec.backup.storage`,
      );
    }
    const storage = this.o.storages.get(undefined, storageName);
    if (!storage) {
      const known =
        this.o.storages
          .list()
          .map((s) => s.metadata.name)
          .join(', ') || '(none)';
      return this.fail(backup, `spec.storage: no BackupStorage "${storageName}"; existing: ${known}`);
    }

    // Taken by a step of another workflow (an in-place restore's safety backup): follow that step.
    const takenBy = backup.metadata.annotations?.[ANNOTATION_TAKEN_BY_WORKFLOW];
    if (takenBy) return this.followStep(backup, instance, storage, takenBy);

    const wfName = backup.status?.workflow ?? backupWorkflowName(name);
    const wf = this.o.workflows.get(namespace, wfName);
    if (!wf && !backup.status?.workflow) {
      let plugin: ResolvedPlugin;
      try {
        const pv = instance.status?.applied?.pluginVersion ?? instance.spec.pluginVersion;
        plugin = this.o.deps.resolve(instance.spec.type, pv, instance.status?.applied?.middlewareVersion);
      } catch (err) {
        return this.fail(backup, (err as Error).message);
      }
      if (!plugin.version.backupConfig) {
        return this.fail(
          backup,
          `${instance.spec.type} ${plugin.version.pluginVersion} declares no backupConfig; it cannot be backed up`,
        );
      }
      let credentialsSecret: string;
      try {
        credentialsSecret = await ensureNamespaceCredentials(this.o.rest, storage, namespace);
      } catch (err) {
        return this.fail(backup, (err as Error).message);
      }
      const op: WorkflowOperation = {
        kind: 'Backup',
        backup: name,
        storage: storage.spec,
        credentialsSecret,
      };
      const workflow = await this.o.deps.planWorkflow(op, plugin, instance, wfName);
      try {
        await this.o.rest.post(resourcePath('argoproj.io/v1alpha1', 'Workflow', { namespace }), workflow);
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
      audit(this.o.log, {
        action: 'Backup',
        kind: 'MiddlewareInstance',
        namespace,
        name: instance.metadata.name!,
        result: 'started',
        detail: `MiddlewareBackup ${name} to ${storageName}`,
      });
      this.o.events.record(backup, 'Normal', 'Started', `backup tool started in workflow ${wfName}`);
      await this.write(backup, {
        phase: 'Running',
        workflow: wfName,
        storage: storageName,
        bucket: storage.spec.bucket,
        type: instance.spec.type,
        pluginVersion: plugin.version.pluginVersion,
        middlewareVersion: plugin.middleware.version,
        startTime: this.now(),
        message: `backup running in workflow ${wfName}`,
      });
      return { requeueAfterMs: 30_000 };
    }
    if (!wf) return this.fail(backup, `workflow ${wfName} disappeared before it finished`);

    return this.finishFrom(backup, instance, storage, this.o.deps.mirrorWorkflow(wf));
  }

  /** Status from what the run reported: Succeeded (read the metadata in S3), Failed, or still running. */
  private async finishFrom(
    backup: MiddlewareBackup,
    instance: MiddlewareInstance,
    storage: BackupStorage,
    m: { phase: string; message?: string; failedStep?: string },
  ): Promise<{ requeueAfterMs?: number } | undefined> {
    const namespace = backup.metadata.namespace!;
    const name = backup.metadata.name!;
    if (m.phase === 'Succeeded') {
      const key = metadataKey(storage.spec.prefix, namespace, instance.metadata.name!, name);
      let meta: ReturnType<typeof parseMetadata>;
      try {
        const text = await (this.o.deps.readMetadata ?? this.readMetadata.bind(this))(storage, key);
        meta = parseMetadata(JSON.parse(text), `s3://${storage.spec.bucket}/${key}`);
      } catch (err) {
        return this.fail(
          backup,
          `the backup tool finished, but its metadata at s3://${storage.spec.bucket}/${key} is unreadable: ${(err as Error).message}`,
        );
      }
      await this.write(backup, {
        phase: 'Succeeded',
        path: key.replace(/metadata\.json$/, meta.dataFile),
        metadataPath: key,
        size: meta.size,
        sha256: meta.sha256,
        completionTime: meta.completionTime,
        message: `${meta.size} bytes, sha256 ${meta.sha256.slice(0, 12)}…`,
      });
      this.o.events.record(
        backup,
        'Normal',
        'Succeeded',
        `backup of ${meta.size} bytes written to ${storage.metadata.name}`,
      );
      audit(this.o.log, {
        action: 'Backup',
        kind: 'MiddlewareInstance',
        namespace,
        name: instance.metadata.name!,
        result: 'Succeeded',
        detail: name,
      });
      return undefined;
    }
    if (m.phase === 'Failed' || m.phase === 'Error' || m.phase === 'Cancelled') {
      return this.fail(backup, `${m.failedStep ? `step ${m.failedStep}: ` : ''}${m.message ?? m.phase}`);
    }
    return { requeueAfterMs: 30_000 };
  }

  /**
   * A backup taken by a step of another workflow: Running once adopted, then the step's outcome.
   * The workflow is created right after the CR, so a cache miss is checked against the API server,
   * and only a workflow whose operation has ended (or is gone) without it fails the backup.
   */
  private async followStep(
    backup: MiddlewareBackup,
    instance: MiddlewareInstance,
    storage: BackupStorage,
    wfName: string,
  ): Promise<{ requeueAfterMs?: number } | undefined> {
    const namespace = backup.metadata.namespace!;
    const step = backup.metadata.annotations?.[ANNOTATION_TAKEN_BY_STEP] ?? 'safety-backup';
    if (!backup.status?.workflow) {
      let pluginVersion = instance.status?.applied?.pluginVersion ?? instance.spec.pluginVersion;
      let middlewareVersion = instance.status?.applied?.middlewareVersion ?? instance.spec.middlewareVersion;
      try {
        const plugin = this.o.deps.resolve(instance.spec.type, pluginVersion, middlewareVersion);
        pluginVersion = plugin.version.pluginVersion;
        middlewareVersion = plugin.middleware.version;
      } catch {
        // Informational fields only: the run belongs to the other workflow either way.
      }
      await this.write(backup, {
        phase: 'Running',
        workflow: wfName,
        storage: storage.metadata.name!,
        bucket: storage.spec.bucket,
        type: instance.spec.type,
        pluginVersion,
        ...(middlewareVersion ? { middlewareVersion } : {}),
        startTime: this.now(),
        message: `taken by step ${step} of workflow ${wfName}`,
      });
      return { requeueAfterMs: 30_000 };
    }
    const wf = this.o.workflows.get(namespace, wfName) ?? (await this.getWorkflow(namespace, wfName));
    if (!wf) {
      const operation = backup.metadata.labels?.['mwop.dev/operation'];
      const ended = operation ? await this.operationEnded(namespace, operation) : true;
      if (ended) return this.fail(backup, `workflow ${wfName} ended or disappeared before step ${step} ran`);
      return { requeueAfterMs: 10_000 };
    }
    const outcome: StepOutcome = workflowStepOutcome(wf, step);
    return this.finishFrom(backup, instance, storage, outcome);
  }

  private async getWorkflow(namespace: string, name: string): Promise<WorkflowLike | undefined> {
    try {
      return await this.o.rest.get<WorkflowLike>(
        resourcePath('argoproj.io/v1alpha1', 'Workflow', { namespace, name }),
      );
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async operationEnded(namespace: string, name: string): Promise<boolean> {
    try {
      const op = await this.o.rest.get<{ status?: { phase?: string } }>(
        resourcePath('mwop.dev/v1alpha1', 'MiddlewareOperation', { namespace, name }),
      );
      return ['Succeeded', 'Failed', 'Cancelled'].includes(op.status?.phase ?? '');
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
  }

  private async readMetadata(storage: BackupStorage, key: string): Promise<string> {
    const client = createS3Client(await operatorS3Config(this.o.rest, storage));
    try {
      return await getText(client, storage.spec.bucket, key);
    } finally {
      client.destroy();
    }
  }

  private async fail(backup: MiddlewareBackup, message: string): Promise<undefined> {
    await this.write(backup, { phase: 'Failed', message, completionTime: this.now() });
    this.o.events.record(backup, 'Warning', 'Failed', message);
    audit(this.o.log, {
      action: 'Backup',
      kind: 'MiddlewareInstance',
      namespace: backup.metadata.namespace,
      name: backup.spec.instanceRef.name,
      result: 'Failed',
      detail: message,
    });
    return undefined;
  }

  private async write(backup: MiddlewareBackup, part: Partial<MiddlewareBackupStatus>): Promise<void> {
    const prev = backup.status ?? {};
    const next: MiddlewareBackupStatus = { ...prev, ...part };
    next.conditions = setCondition(
      prev.conditions,
      {
        type: 'Complete',
        status: next.phase === 'Succeeded' || next.phase === 'Failed' ? 'True' : 'False',
        reason: next.phase ?? 'Pending',
        message: next.message ?? '',
      },
      this.now(),
    );
    next.observedGeneration = backup.metadata.generation;
    const patch = mergePatchBetween(prev, next);
    if (patch) await patchStatus(this.o.rest, backup, patch);
  }
}
