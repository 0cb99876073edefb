// Retention cleanup: one step per BackupStorage with the operator image, run in sequence; the
// policy itself is src/backup/retention.ts. Each step only deletes the victims whose objects are
// in its storage (and victims with no objects), with that storage's settings as parameters and
// its keys from the Secret copied into the namespace.
import type { PlanContext } from '../context.ts';
import { chain, type Step, step } from '../dag.ts';
import type { OperationOf } from '../operations.ts';
import { CWT, ref, T } from '../templates/catalog.ts';
import { DEFAULT_OPERATOR_IMAGE } from '../templates/retention-cleanup.ts';
import { asArguments } from './backup.ts';
import { s3Parameters } from './tool-arguments.ts';

export function planRetentionCleanup(
  ctx: PlanContext,
  op: OperationOf<'RetentionCleanup'>,
): { steps: Step[]; deadline: number } {
  if (op.maxCount === undefined && op.maxAge === undefined) {
    throw new Error(
      'spec.backup.retention: neither maxCount nor maxAge is set; accepted: maxCount, maxAge, or both',
    );
  }
  if (op.targets.length === 0) {
    throw new Error(
      'spec.backup.storage: retention cleanup has no BackupStorage to run against; accepted: at least one storage',
    );
  }
  const steps = op.targets.map((target, i) =>
    step(i === 0 ? 'retention-cleanup' : `retention-cleanup-${i + 1}`, [], {
      templateRef: ref(CWT.retentionCleanup, T.retentionCleanup.cleanup),
      arguments: asArguments({
        'operator-image': ctx.observed.operatorImage ?? DEFAULT_OPERATOR_IMAGE,
        instance: ctx.name,
        'max-count': op.maxCount === undefined ? '' : String(op.maxCount),
        'max-age': op.maxAge ?? '',
        storage: target.storageName,
        ...s3Parameters(target),
      }),
    }),
  );
  return { steps: chain(steps), deadline: 1200 * op.targets.length };
}
