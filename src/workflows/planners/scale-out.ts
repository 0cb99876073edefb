// Scale-out: grow the StatefulSet -> wait until all members are ready -> on each new member, in
// order, the type's scale-out hooks (default /init then /post-scale-out), pointed at the primary.
import type { HookName } from '../../api/index.ts';
import type { PlanContext } from '../context.ts';
import { chain, type Step } from '../dag.ts';
import { hookSlug, hookStep, memberRef } from '../hooks.ts';
import type { OperationOf } from '../operations.ts';
import { scaleStep, waitReadyStep } from '../steps.ts';

const DEFAULT_SCALE_OUT_HOOKS: HookName[] = ['init', 'postScaleOut'];

export function planScaleOut(
  ctx: PlanContext,
  op: OperationOf<'ScaleOut'>,
): { steps: Step[]; deadline: number } {
  const hooks = ctx.plugin.version.scalingRules.scaleOutHooks ?? DEFAULT_SCALE_OUT_HOOKS;
  const primary = memberRef(ctx, ctx.observed.primaryOrdinal ?? 0);
  const joins: Step[] = [];
  for (let ordinal = op.from; ordinal < op.to; ordinal++) {
    for (const hook of hooks) {
      joins.push(
        hookStep(ctx, hook, ordinal, [], { primary, replicas: op.to }, `${hookSlug(hook)}-${ordinal}`),
      );
    }
  }
  const steps = chain([
    scaleStep(ctx, 'grow', [], op.to),
    waitReadyStep(ctx, 'wait-ready', [], op.to),
    ...joins,
  ]);
  return { steps, deadline: 1800 + 300 * (op.to - op.from) };
}
