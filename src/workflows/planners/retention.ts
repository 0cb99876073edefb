// Retention cleanup: one step with the operator image; the policy itself is src/backup/retention.ts.
import type { PlanContext } from '../context.ts';
import { type Step, step } from '../dag.ts';
import type { OperationOf } from '../operations.ts';
import { CWT, ref, T } from '../templates/catalog.ts';
import { DEFAULT_OPERATOR_IMAGE } from '../templates/retention-cleanup.ts';
import { asArguments } from './backup.ts';

export function planRetentionCleanup(
  ctx: PlanContext,
  op: OperationOf<'RetentionCleanup'>,
): { steps: Step[]; deadline: number } {
  if (op.maxCount === undefined && op.maxAge === undefined) {
    throw new Error(
      'spec.backup.retention: neither maxCount nor maxAge is set; accepted: maxCount, maxAge, or both',
    );
  }
  return {
    steps: [
      step('retention-cleanup', [], {
        templateRef: ref(CWT.retentionCleanup, T.retentionCleanup.cleanup),
        arguments: asArguments({
          'operator-image': ctx.observed.operatorImage ?? DEFAULT_OPERATOR_IMAGE,
          instance: ctx.name,
          'max-count': op.maxCount === undefined ? '' : String(op.maxCount),
          'max-age': op.maxAge ?? '',
        }),
      }),
    ],
    deadline: 1200,
  };
}
