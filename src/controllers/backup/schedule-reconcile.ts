// Per instance: create the scheduled MiddlewareBackups on time (CronJob semantics, from
// src/backup/schedule.ts), and start a retention-cleanup workflow when the policy has victims.
// Time is injected, so tests fire schedules with a clock instead of waiting.

import { createHash } from 'node:crypto';
import type { BackupStorage, MiddlewareBackup, MiddlewareInstance } from '../../api/index.ts';
import { API_VERSION } from '../../api/index.ts';
import { candidateFromBackup, parseRetention, retentionVictims } from '../../backup/retention.ts';
import { dueRuns, parseSchedule, scheduledBackupName } from '../../backup/schedule.ts';
import { patchStatus } from '../../kube/apply.ts';
import type { Clock } from '../../kube/clock.ts';
import { isConflict } from '../../kube/errors.ts';
import type { EventRecorder } from '../../kube/events.ts';
import { resourcePath } from '../../kube/gvr.ts';
import type { Cache } from '../../kube/informer.ts';
import type { KubeRest } from '../../kube/rest.ts';
import { audit, type Logger } from '../../log/logger.ts';
import { boundedName } from '../../workflows/names.ts';
import type { RetentionTarget } from '../../workflows/operations.ts';
import type { WorkflowLike } from '../instance/deps.ts';
import type { BackupDeps } from './reconcile.ts';
import { retentionStorageNames } from './retention-targets.ts';
import { ensureNamespaceCredentials } from './storage-access.ts';

export const LABEL_SCHEDULED = 'mwop.dev/scheduled';

export interface ScheduleReconcilerOptions {
  rest: KubeRest;
  instances: Cache<MiddlewareInstance>;
  backups: Cache<MiddlewareBackup>;
  workflows: Cache<WorkflowLike>;
  storages: Cache<BackupStorage>;
  deps: Pick<BackupDeps, 'resolve' | 'planWorkflow'>;
  events: EventRecorder;
  log: Logger;
  clock: Clock;
}

/** Deterministic per set of victims: the same victims never start a second cleanup. */
export function retentionWorkflowName(instance: string, victims: string[]): string {
  const hash = createHash('sha256').update(victims.join('\n')).digest('hex').slice(0, 10);
  return boundedName(`${instance}-retention-${hash}`);
}

export class ScheduleReconciler {
  private readonly o: ScheduleReconcilerOptions;

  constructor(opts: ScheduleReconcilerOptions) {
    this.o = opts;
  }

  async reconcile(key: string): Promise<{ requeueAfterMs?: number } | undefined> {
    const [namespace, name] = key.split('/') as [string, string];
    const instance = this.o.instances.get(namespace, name);
    if (!instance || instance.metadata.deletionTimestamp || !instance.spec.backup) return undefined;
    const now = this.o.clock.now();
    let requeue: number | undefined;

    const policy = instance.spec.backup;
    if (policy.schedule && !policy.suspend) {
      let schedule: ReturnType<typeof parseSchedule>;
      try {
        schedule = parseSchedule(policy.schedule);
      } catch (err) {
        this.o.events.record(instance, 'Warning', 'InvalidSchedule', (err as Error).message);
        return undefined;
      }
      const last = Date.parse(
        instance.status?.lastScheduleTime ??
          String(instance.metadata.creationTimestamp ?? new Date(now).toISOString()),
      );
      const runs = dueRuns(schedule, Number.isNaN(last) ? now : last, now, policy.startingDeadlineSeconds);
      if (runs.due !== undefined) {
        await this.createScheduled(instance, runs.due);
      } else if (runs.tooLate !== undefined) {
        this.o.events.record(
          instance,
          'Warning',
          'MissedSchedule',
          `missed the backup scheduled at ${new Date(runs.tooLate).toISOString()}: more than startingDeadlineSeconds (${policy.startingDeadlineSeconds}s) late`,
        );
      }
      requeue = Math.max(1_000, runs.next - now);
    }

    if (policy.retention) await this.applyRetention(instance, now);
    return requeue === undefined ? undefined : { requeueAfterMs: requeue };
  }

  private async createScheduled(instance: MiddlewareInstance, due: number): Promise<void> {
    const namespace = instance.metadata.namespace!;
    const name = scheduledBackupName(instance.metadata.name!, due);
    const backup: MiddlewareBackup = {
      apiVersion: API_VERSION,
      kind: 'MiddlewareBackup',
      metadata: {
        name,
        namespace,
        labels: { 'mwop.dev/instance': instance.metadata.name!, [LABEL_SCHEDULED]: 'true' },
        annotations: { 'mwop.dev/scheduled-at': new Date(due).toISOString() },
      },
      spec: { instanceRef: { name: instance.metadata.name! }, storage: instance.spec.backup!.storage },
    };
    try {
      await this.o.rest.post(resourcePath(API_VERSION, 'MiddlewareBackup', { namespace }), backup);
      audit(this.o.log, {
        action: 'Backup',
        kind: 'MiddlewareInstance',
        namespace,
        name: instance.metadata.name!,
        actor: 'schedule',
        result: 'created',
        detail: name,
      });
    } catch (err) {
      // Created before a crash that lost the status write: the deterministic name prevents a double run.
      if (!isConflict(err)) throw err;
    }
    await patchStatus(this.o.rest, instance, { lastScheduleTime: new Date(due).toISOString() });
  }

  private async applyRetention(instance: MiddlewareInstance, now: number): Promise<void> {
    let retention: ReturnType<typeof parseRetention>;
    try {
      retention = parseRetention(instance.spec.backup!.retention);
    } catch (err) {
      this.o.events.record(instance, 'Warning', 'InvalidRetention', (err as Error).message);
      return;
    }
    const mine = this.o.backups
      .list(instance.metadata.namespace)
      .filter((b) => b.spec.instanceRef.name === instance.metadata.name);
    if (mine.some((b) => b.status?.phase === 'Running' || b.status?.phase === 'Pending' || !b.status?.phase))
      return;
    const victims = retentionVictims(mine.map(candidateFromBackup), retention, now).map((v) => v.name);
    if (victims.length === 0) return;
    const name = retentionWorkflowName(instance.metadata.name!, victims);
    if (this.o.workflows.get(instance.metadata.namespace, name)) return;
    let plugin: ReturnType<BackupDeps['resolve']>;
    try {
      plugin = this.o.deps.resolve(
        instance.spec.type,
        instance.status?.applied?.pluginVersion ?? instance.spec.pluginVersion,
      );
    } catch {
      return;
    }
    const targets = await this.retentionTargets(
      instance,
      mine.filter((b) => victims.includes(b.metadata.name!)),
    );
    if (targets.length === 0) return;
    const spec = instance.spec.backup!.retention!;
    const wf = await this.o.deps.planWorkflow(
      {
        kind: 'RetentionCleanup',
        ...(spec.maxCount !== undefined ? { maxCount: spec.maxCount } : {}),
        ...(spec.maxAge !== undefined ? { maxAge: spec.maxAge } : {}),
        targets,
      },
      plugin,
      instance,
      name,
    );
    try {
      await this.o.rest.post(
        resourcePath('argoproj.io/v1alpha1', 'Workflow', { namespace: instance.metadata.namespace }),
        wf,
      );
      this.o.events.record(
        instance,
        'Normal',
        'RetentionCleanup',
        `deleting ${victims.length} backup(s): ${victims.join(', ')}`,
      );
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
  }

  /** Each storage's settings and the copy of its keys in the namespace; a missing storage is reported. */
  private async retentionTargets(
    instance: MiddlewareInstance,
    victims: MiddlewareBackup[],
  ): Promise<RetentionTarget[]> {
    const targets: RetentionTarget[] = [];
    for (const storageName of retentionStorageNames(victims, instance.spec.backup!.storage)) {
      const storage = this.o.storages.get(undefined, storageName);
      if (!storage) {
        this.o.events.record(
          instance,
          'Warning',
          'RetentionBlocked',
          `backups stored in BackupStorage "${storageName}" cannot be pruned: it does not exist; recreate it, or delete those MiddlewareBackups by hand`,
        );
        continue;
      }
      const credentialsSecret = await ensureNamespaceCredentials(
        this.o.rest,
        storage,
        instance.metadata.namespace!,
      );
      targets.push({ storageName, storage: storage.spec, credentialsSecret });
    }
    return targets;
  }
}
