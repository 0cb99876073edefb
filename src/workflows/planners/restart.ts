// Restart: every member, one at a time, each healthy before the next. The pod template gets an
// annotation whose value is the workflow's own name, so a retried workflow does not roll twice.
import type { PlanContext } from '../context.ts';
import type { Step } from '../dag.ts';
import type { OperationOf } from '../operations.ts';
import { rollingChange } from '../steps.ts';

export const RESTARTED_BY = 'mwop.dev/restarted-by';

export function planRestart(
  ctx: PlanContext,
  _op: OperationOf<'Restart'>,
  workflowName: string,
): { steps: Step[]; deadline: number } {
  const podTemplate = { metadata: { annotations: { [RESTARTED_BY]: workflowName } } };
  return {
    steps: rollingChange(ctx, [], podTemplate, 'annotate-template'),
    deadline: 900 + 600 * ctx.running,
  };
}
