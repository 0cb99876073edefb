// BackupStorage readiness: each storage is probed (list one key under the prefix) and its status
// says Ready, or Unavailable with exactly what failed: the credentials Secret, DNS, TLS, auth, a
// missing bucket (classifyS3Error). Probed again periodically, sooner while unavailable, so a fixed
// endpoint turns Ready without anyone touching the object.
import type { BackupStorage, BackupStorageStatus } from '../../api/index.ts';
import { createS3Client, type S3StorageConfig } from '../../backup/s3/client.ts';
import { type ProbeResult, probeStorage } from '../../backup/s3/probe.ts';
import { patchStatus } from '../../kube/apply.ts';
import type { Clock } from '../../kube/clock.ts';
import type { EventRecorder } from '../../kube/events.ts';
import type { Cache } from '../../kube/informer.ts';
import { mergePatchBetween } from '../../kube/merge-patch.ts';
import type { KubeRest } from '../../kube/rest.ts';
import type { Logger } from '../../log/logger.ts';
import { operatorS3Config } from '../backup/storage-access.ts';
import { setCondition } from '../conditions.ts';

export const AVAILABLE_CONDITION = 'Available';
export const READY_INTERVAL_MS = 5 * 60_000;
export const UNAVAILABLE_INTERVAL_MS = 60_000;

export interface StorageProbeOptions {
  rest: KubeRest;
  storages: Cache<BackupStorage>;
  events: EventRecorder;
  log: Logger;
  clock: Clock;
  /** Reads the credentials and builds the S3 config; injectable for unit tests. */
  s3Config?(storage: BackupStorage): Promise<S3StorageConfig>;
  probe?(cfg: S3StorageConfig): Promise<ProbeResult>;
}

type Outcome = { ok: true } | { ok: false; reason: string; message: string };

export class StorageProbeReconciler {
  private readonly o: StorageProbeOptions;

  constructor(opts: StorageProbeOptions) {
    this.o = opts;
  }

  async reconcile(key: string): Promise<{ requeueAfterMs?: number } | undefined> {
    const storage = this.o.storages.get(undefined, key);
    if (!storage || storage.metadata.deletionTimestamp) return undefined;
    const outcome = await this.check(storage);
    await this.write(storage, outcome);
    return { requeueAfterMs: outcome.ok ? READY_INTERVAL_MS : UNAVAILABLE_INTERVAL_MS };
  }

  private async check(storage: BackupStorage): Promise<Outcome> {
    let cfg: S3StorageConfig;
    try {
      cfg = await (this.o.s3Config ?? ((s) => operatorS3Config(this.o.rest, s)))(storage);
    } catch (err) {
      const ref = storage.spec.credentialsSecretRef;
      const msg = (err as Error).message;
      return {
        ok: false,
        reason: 'CredentialsSecret',
        message: /not ?found|404/i.test(msg)
          ? `spec.credentialsSecretRef: Secret ${ref.namespace}/${ref.name} does not exist`
          : msg,
      };
    }
    if (this.o.probe) {
      const r = await this.o.probe(cfg);
      return r.ok ? r : { ok: false, reason: r.reason, message: r.message };
    }
    const client = createS3Client(cfg);
    try {
      const r = await probeStorage(client, cfg);
      return r.ok ? r : { ok: false, reason: r.reason, message: r.message };
    } finally {
      client.destroy();
    }
  }

  private async write(storage: BackupStorage, outcome: Outcome): Promise<void> {
    const now = new Date(this.o.clock.now()).toISOString();
    const prev = storage.status ?? {};
    const next: BackupStorageStatus = {
      ...prev,
      phase: outcome.ok ? 'Ready' : 'Unavailable',
      message: outcome.ok
        ? `bucket ${storage.spec.bucket} reachable at ${storage.spec.endpoint}`
        : outcome.message,
      lastProbeTime: now,
    };
    next.conditions = setCondition(
      prev.conditions,
      {
        type: AVAILABLE_CONDITION,
        status: outcome.ok ? 'True' : 'False',
        reason: outcome.ok ? 'ProbeSucceeded' : outcome.reason,
        message: next.message ?? '',
        ...(storage.metadata.generation !== undefined
          ? { observedGeneration: storage.metadata.generation }
          : {}),
      },
      now,
    );
    next.observedGeneration = storage.metadata.generation;
    if (prev.phase !== next.phase || prev.message !== next.message) {
      this.o.events.record(
        storage,
        outcome.ok ? 'Normal' : 'Warning',
        outcome.ok ? 'Ready' : 'Unavailable',
        next.message ?? '',
      );
      if (!outcome.ok)
        this.o.log.warn({ storage: storage.metadata.name, reason: outcome.reason }, outcome.message);
    }
    const patch = mergePatchBetween(prev, next);
    if (patch) await patchStatus(this.o.rest, storage, patch);
  }
}
