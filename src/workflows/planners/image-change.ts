// Shared by upgrade and middleware-version switch: /pre-upgrade on every member (a refusal ends
// the workflow before anything changes, FR-018) -> rolling image change with health gates ->
// /post-upgrade on each member in order.
import type { HookRequest } from '../../agent/contract.ts';
import type { PlanContext } from '../context.ts';
import { chain, type Step, tails } from '../dag.ts';
import { hookStep } from '../hooks.ts';
import { MIDDLEWARE_CONTAINER } from '../names.ts';
import { rollingChange } from '../steps.ts';

export function targetPodTemplate(ctx: PlanContext): Record<string, unknown> {
  const rendered = (ctx.observed.workload?.spec as { template?: Record<string, unknown> } | undefined)
    ?.template;
  return (
    rendered ?? { spec: { containers: [{ name: MIDDLEWARE_CONTAINER, image: ctx.plugin.middleware.image }] } }
  );
}

export function planImageChange(
  ctx: PlanContext,
  target: Partial<HookRequest>,
): { steps: Step[]; deadline: number } {
  const current: PlanContext = ctx.observed.currentPlugin
    ? { ...ctx, plugin: ctx.observed.currentPlugin }
    : ctx;
  const members = Array.from({ length: ctx.running }, (_, i) => i);
  const precheck = members.map((ordinal) => hookStep(current, 'preUpgrade', ordinal, [], target));
  const roll = rollingChange(ctx, tails(precheck), targetPodTemplate(ctx));
  const post = chain(
    members.map((ordinal) => hookStep(ctx, 'postUpgrade', ordinal, [], target)),
    tails(roll),
  );
  return { steps: [...precheck, ...roll, ...post], deadline: 1800 + 900 * ctx.running };
}
