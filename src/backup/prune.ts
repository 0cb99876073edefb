// Retention cleanup, as run by the retention-cleanup workflow step (`kubectl-mw backup prune`):
// the policy (retentionVictims) picks the victims; for each one the S3 data and metadata are
// deleted first, then the MiddlewareBackup CR. A failure between the two leaves a CR whose objects
// are gone, which the next run deletes; never S3 objects that no CR and no catalog sync can find.
// With `storage` set (the workflow step: one step per BackupStorage), only the victims whose objects
// are in that storage, and those with no objects, are deleted; the others are reported as skipped,
// left to their storage's step. It needs nothing but list and delete on MiddlewareBackups.
import { DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { MiddlewareBackup } from '../api/index.ts';
import { isNotFound } from '../kube/errors.ts';
import { resourcePath } from '../kube/gvr.ts';
import type { KubeRest } from '../kube/rest.ts';
import {
  candidateFromBackup,
  type RetentionPolicy,
  type RetentionVictim,
  retentionVictims,
} from './retention.ts';

export interface PruneResult {
  /** The victims this run deletes (or would delete, on a dry run). */
  victims: RetentionVictim[];
  /** Victims whose objects are in another storage than the one this run is for. */
  skipped: (RetentionVictim & { storage: string })[];
  deletedObjects: string[];
  deletedBackups: string[];
}

export interface PruneDeps {
  rest: KubeRest;
  /** An S3 client and bucket for a BackupStorage name. */
  s3For(storage: string): Promise<{ client: S3Client; bucket: string }>;
}

export async function pruneBackups(
  deps: PruneDeps,
  target: {
    namespace: string;
    instance: string;
    policy: RetentionPolicy;
    now: number;
    dryRun?: boolean;
    /** Only delete objects in this BackupStorage (victims stored elsewhere are skipped). */
    storage?: string;
  },
): Promise<PruneResult> {
  const list = await deps.rest.get<{ items: MiddlewareBackup[] }>(
    resourcePath('mwop.dev/v1alpha1', 'MiddlewareBackup', { namespace: target.namespace }),
  );
  const mine = list.items.filter((b) => b.spec.instanceRef.name === target.instance);
  const byName = new Map(mine.map((b) => [b.metadata.name!, b]));
  const keysOf = (b: MiddlewareBackup) =>
    [b.status?.path, b.status?.metadataPath].filter((k): k is string => Boolean(k));
  const storageOf = (b: MiddlewareBackup) => b.status?.storage ?? b.spec.storage;
  const result: PruneResult = { victims: [], skipped: [], deletedObjects: [], deletedBackups: [] };
  for (const v of retentionVictims(mine.map(candidateFromBackup), target.policy, target.now)) {
    const b = byName.get(v.name)!;
    const elsewhere = storageOf(b);
    if (target.storage && keysOf(b).length > 0 && elsewhere && elsewhere !== target.storage) {
      result.skipped.push({ ...v, storage: elsewhere });
    } else {
      result.victims.push(v);
    }
  }
  if (target.dryRun) return result;
  for (const v of result.victims) {
    const backup = byName.get(v.name)!;
    const keys = keysOf(backup);
    const storage = storageOf(backup);
    if (keys.length > 0 && storage) {
      const { client, bucket } = await deps.s3For(storage);
      const out = await client.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      if (out.Errors?.length) {
        const e = out.Errors[0]!;
        throw new Error(`deleting ${e.Key} from bucket ${bucket} failed: ${e.Code}: ${e.Message}`);
      }
      result.deletedObjects.push(...keys);
    }
    try {
      await deps.rest.delete(
        resourcePath('mwop.dev/v1alpha1', 'MiddlewareBackup', { namespace: target.namespace, name: v.name }),
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    result.deletedBackups.push(v.name);
  }
  return result;
}
