// (operation, plugin, instance, observed) -> Workflow. Pure: no I/O, no clock, no randomness.
import type { MiddlewareInstance } from '../api/index.ts';
import type { ResolvedPlugin } from '../plugins/types.ts';
import type { Workflow } from './argo-types.ts';
import { type Observed, planContext } from './context.ts';
import type { Step } from './dag.ts';
import { slugOf, workflowName } from './names.ts';
import type { WorkflowOperation } from './operations.ts';
import { planBackup } from './planners/backup.ts';
import { planConfigReload } from './planners/config-reload.ts';
import { planCreate } from './planners/create.ts';
import { planRestart } from './planners/restart.ts';
import { planRestore } from './planners/restore.ts';
import { planRetentionCleanup } from './planners/retention.ts';
import { planScaleIn } from './planners/scale-in.ts';
import { planScaleOut } from './planners/scale-out.ts';
import { planSwitchover } from './planners/switchover.ts';
import { planUpgrade } from './planners/upgrade.ts';
import { planVersionSwitch } from './planners/version-switch.ts';
import { planVerticalScale } from './planners/vertical-scale.ts';
import { planVolumeExpand } from './planners/volume-expand.ts';
import { buildWorkflow } from './workflow.ts';

export function planWorkflow(
  op: WorkflowOperation,
  plugin: ResolvedPlugin,
  instance: MiddlewareInstance,
  observed: Observed = {},
): Workflow {
  const ctx = planContext(plugin, instance, observed);
  const name = observed.name ?? workflowName(ctx.name, slugOf(op.kind), instance.metadata.generation ?? 0);
  const planned = plan(op, { ...ctx, observed: { ...observed, name } }, name);
  return buildWorkflow({ ...ctx, observed: { ...observed, name } }, op, planned.steps, planned.deadline);
}

function plan(
  op: WorkflowOperation,
  ctx: ReturnType<typeof planContext>,
  name: string,
): { steps: Step[]; deadline: number } {
  switch (op.kind) {
    case 'Create':
      return planCreate(ctx, op);
    case 'ScaleOut':
      return planScaleOut(ctx, op);
    case 'ScaleIn':
      return planScaleIn(ctx, op);
    case 'VerticalScale':
      return planVerticalScale(ctx, op);
    case 'VolumeExpand':
      return planVolumeExpand(ctx, op);
    case 'Upgrade':
      return planUpgrade(ctx, op);
    case 'VersionSwitch':
      return planVersionSwitch(ctx, op);
    case 'ConfigReload':
      return planConfigReload(ctx, op);
    case 'Restart':
      return planRestart(ctx, op, name);
    case 'Switchover':
    case 'Failover':
      return planSwitchover(ctx, op);
    case 'Backup':
      return planBackup(ctx, op);
    case 'Restore':
      return planRestore(ctx, op);
    case 'RetentionCleanup':
      return planRetentionCleanup(ctx, op);
  }
}
