// The shape the instance controller asks for (controllers/instance/deps.ts: planWorkflow and
// mirrorWorkflow), on top of the planners. The operator wires these two into InstanceDeps.
import type { MiddlewareInstance, OperationRecord } from '../api/index.ts';
import type { ResolvedPlugin } from '../plugins/types.ts';
import type { Workflow } from './argo-types.ts';
import type { Observed } from './context.ts';
import { mirrorWorkflow } from './mirror.ts';
import type { WorkflowOperation } from './operations.ts';
import { planWorkflow } from './plan.ts';

export interface InstanceWorkflowInput {
  operation: WorkflowOperation;
  plugin: ResolvedPlugin;
  currentPlugin: ResolvedPlugin;
  instance: MiddlewareInstance;
  name: string;
}

export function planInstanceWorkflow(
  input: InstanceWorkflowInput,
  observed: Omit<Observed, 'name' | 'currentPlugin'> = {},
): Workflow {
  return planWorkflow(input.operation, input.plugin, input.instance, {
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
