// The shape the instance controller asks for (controllers/instance/deps.ts: planWorkflow and
// mirrorWorkflow), on top of the planners. The operator wires these two into InstanceDeps.
import type { MiddlewareInstance, OperationRecord } from '../api/index.ts';
import type { ResolvedPlugin } from '../plugins/types.ts';
import type { Workflow } from './argo-types.ts';
import type { Observed } from './context.ts';
import { mirrorWorkflow } from './mirror.ts';
import type { OperationOf, WorkflowOperation } from './operations.ts';
import { planWorkflow } from './plan.ts';

/** spec.restoreFrom of a new instance names its source; the operator resolves where it is in S3. */
export type RestoreFromSource = { kind: 'Restore'; source: string };
export type RestoreTarget = Omit<OperationOf<'Restore'>, 'kind' | 'safetyBackup'>;

export interface InstanceWorkflowInput {
  operation: WorkflowOperation | RestoreFromSource;
  plugin: ResolvedPlugin;
  currentPlugin: ResolvedPlugin;
  instance: MiddlewareInstance;
  name: string;
}

export interface InstanceWorkflowOptions extends Omit<Observed, 'name' | 'currentPlugin'> {
  /** Where the backup named by spec.restoreFrom is (the MiddlewareBackup's S3 location). */
  restoreTarget?: (source: string) => RestoreTarget;
}

export function planInstanceWorkflow(
  input: InstanceWorkflowInput,
  opts: InstanceWorkflowOptions = {},
): Workflow {
  const { restoreTarget, ...observed } = opts;
  let op = input.operation;
  if (op.kind === 'Restore' && 'source' in op) {
    if (!restoreTarget) {
      throw new Error(
        `spec.restoreFrom: cannot plan the restore of ${op.source}: its S3 location was not resolved; accepted: a MiddlewareBackup or an S3 path on a BackupStorage`,
      );
    }
    // A new instance has nothing to protect: no safety backup.
    op = { kind: 'Restore', ...restoreTarget(op.source) };
  }
  return planWorkflow(op, input.plugin, input.instance, {
    ...observed,
    name: input.name,
    currentPlugin: input.currentPlugin,
  });
}

export function mirrorInstanceWorkflow(wf: {
  spec?: unknown;
  status?: unknown;
  metadata?: unknown;
}): Omit<OperationRecord, 'name' | 'type'> {
  return mirrorWorkflow(wf as Workflow);
}
