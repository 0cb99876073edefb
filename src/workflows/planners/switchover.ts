// Switchover (planned, the old primary steps down cleanly) and failover (the old primary may be
// gone): one hook call, then every member must be ready again. Without the hook the operation
// cannot be done, and the error says which hooks the type declares.
import type { HookName } from '../../api/index.ts';
import type { PlanContext } from '../context.ts';
import { chain, type Step } from '../dag.ts';
import { declaredHook, hookStep, memberRef } from '../hooks.ts';
import type { OperationOf } from '../operations.ts';
import { waitReadyStep } from '../steps.ts';

export function planSwitchover(
  ctx: PlanContext,
  op: OperationOf<'Switchover'> | OperationOf<'Failover'>,
): { steps: Step[]; deadline: number } {
  const hook: HookName = op.kind === 'Switchover' ? 'switchover' : 'failover';
  if (!declaredHook(ctx, hook)) {
    const declared = Object.keys(ctx.plugin.version.lifecycleHooks ?? {}).filter(
      (k) => k !== 'port' && k !== 'custom',
    );
    throw new Error(
      `spec.type: ${op.kind} needs lifecycleHooks.${hook} in ${ctx.plugin.typeName} ${ctx.plugin.version.pluginVersion}; it declares: ${declared.join(', ') || 'no hooks'}`,
    );
  }
  const primary = ctx.observed.primaryOrdinal ?? 0;
  if (op.target !== undefined && (op.target < 0 || op.target >= ctx.running)) {
    throw new Error(
      `spec.switchover.target: member ${op.target} does not exist; accepted: 0 to ${ctx.running - 1}`,
    );
  }
  // A switchover is asked of the current primary; a failover of a survivor (the target, or the first replica).
  const caller =
    op.kind === 'Switchover' ? primary : (op.target ?? (primary === 0 && ctx.running > 1 ? 1 : 0));
  const members = Array.from({ length: ctx.running }, (_, i) => memberRef(ctx, i));
  const call = hookStep(ctx, hook, caller, [], {
    members,
    ...(op.target !== undefined ? { target: memberRef(ctx, op.target) } : {}),
  });
  return { steps: chain([call, waitReadyStep(ctx, 'wait-ready', [], ctx.running)]), deadline: 900 };
}
