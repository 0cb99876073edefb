// Upgrade to another plugin version (and the middleware version it resolves to).
import type { PlanContext } from '../context.ts';
import type { Step } from '../dag.ts';
import type { OperationOf } from '../operations.ts';
import { planImageChange } from './image-change.ts';

export function planUpgrade(
  ctx: PlanContext,
  op: OperationOf<'Upgrade'>,
): { steps: Step[]; deadline: number } {
  return planImageChange(ctx, {
    pluginVersion: op.fromPlugin,
    middlewareVersion: op.fromVersion,
    targetPluginVersion: op.toPlugin,
    targetMiddlewareVersion: op.toVersion,
  });
}
