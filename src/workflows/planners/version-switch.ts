// Middleware-version switch within one plugin version: the same checks and rollout as an upgrade.
import type { PlanContext } from '../context.ts';
import type { Step } from '../dag.ts';
import type { OperationOf } from '../operations.ts';
import { planImageChange } from './image-change.ts';

export function planVersionSwitch(
  ctx: PlanContext,
  op: OperationOf<'VersionSwitch'>,
): { steps: Step[]; deadline: number } {
  return planImageChange(ctx, {
    middlewareVersion: op.from,
    targetPluginVersion: ctx.plugin.version.pluginVersion,
    targetMiddlewareVersion: op.to,
  });
}
