// Scale-in: the type's scale-in hooks (default /pre-scale-in) on each leaving member, highest
// ordinal first, so data is handed off before anything stops -> shrink -> wait -> delete the
// leaving members' PVCs when deletionPolicy is Delete (Retain keeps them).
import type { HookName } from '../../api/index.ts';
import type { PlanContext } from '../context.ts';
import { chain, type Step } from '../dag.ts';
import { hookSlug, hookStep, memberRef } from '../hooks.ts';
import { memberPvcName } from '../names.ts';
import type { OperationOf } from '../operations.ts';
import { deleteStep, scaleStep, waitReadyStep } from '../steps.ts';

const DEFAULT_SCALE_IN_HOOKS: HookName[] = ['preScaleIn'];

export function planScaleIn(
  ctx: PlanContext,
  op: OperationOf<'ScaleIn'>,
): { steps: Step[]; deadline: number } {
  const hooks = ctx.plugin.version.scalingRules.scaleInHooks ?? DEFAULT_SCALE_IN_HOOKS;
  const leaving = Array.from({ length: op.from - op.to }, (_, i) => op.from - 1 - i);
  const handoffs = leaving.flatMap((ordinal) =>
    hooks.map((hook) =>
      hookStep(
        ctx,
        hook,
        ordinal,
        [],
        { target: memberRef(ctx, ordinal), replicas: op.to },
        `${hookSlug(hook)}-${ordinal}`,
      ),
    ),
  );
  const main = chain([
    ...handoffs,
    scaleStep(ctx, 'shrink', [], op.to),
    waitReadyStep(ctx, 'wait-ready', [], op.to),
  ]);
  const cleanup =
    (ctx.instance.spec.deletionPolicy ?? 'Delete') === 'Delete'
      ? leaving.map((ordinal) =>
          deleteStep(
            `delete-pvc-${ordinal}`,
            ['wait-ready'],
            'v1',
            'PersistentVolumeClaim',
            memberPvcName(ctx.name, ordinal),
          ),
        )
      : [];
  return { steps: [...main, ...cleanup], deadline: 1800 + 300 * leaving.length };
}
