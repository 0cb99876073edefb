// Vertical scale: new resources for the middleware container, rolled out one member at a time;
// each must pass /health before the next restarts, and a failure halts the rollout.
import type { PlanContext } from '../context.ts';
import type { Step } from '../dag.ts';
import { MIDDLEWARE_CONTAINER } from '../names.ts';
import type { OperationOf } from '../operations.ts';
import { rollingChange } from '../steps.ts';

export function planVerticalScale(
  ctx: PlanContext,
  op: OperationOf<'VerticalScale'>,
): { steps: Step[]; deadline: number } {
  const podTemplate = { spec: { containers: [{ name: MIDDLEWARE_CONTAINER, resources: op.resources }] } };
  return { steps: rollingChange(ctx, [], podTemplate), deadline: 900 + 600 * ctx.running };
}
