// Retention cleanup, as run by the retention-cleanup workflow step (`kubectl-mw backup prune`):
// the policy (retentionVictims) picks the victims; for each one the S3 data and metadata are
// deleted first, then the MiddlewareBackup CR. A failure between the two leaves a CR whose objects
// are gone, which the next run deletes; never S3 objects that no CR and no catalog sync can find.
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
  victims: RetentionVictim[];
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
  target: { namespace: string; instance: string; policy: RetentionPolicy; now: number; dryRun?: boolean },
): Promise<PruneResult> {
  const list = await deps.rest.get<{ items: MiddlewareBackup[] }>(
    resourcePath('mwop.dev/v1alpha1', 'MiddlewareBackup', { namespace: target.namespace }),
  );
  const mine = list.items.filter((b) => b.spec.instanceRef.name === target.instance);
  const victims = retentionVictims(mine.map(candidateFromBackup), target.policy, target.now);
  const result: PruneResult = { victims, deletedObjects: [], deletedBackups: [] };
  if (target.dryRun) return result;
  const byName = new Map(mine.map((b) => [b.metadata.name!, b]));
  for (const v of victims) {
    const backup = byName.get(v.name)!;
    const keys = [backup.status?.path, backup.status?.metadataPath].filter((k): k is string => Boolean(k));
    const storage = backup.status?.storage ?? backup.spec.storage;
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
