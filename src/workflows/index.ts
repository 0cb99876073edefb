export * from './argo-types.ts';
export { type CancelPlan, type CancelRequest, planCancel } from './cancel.ts';
export { decodeCompressedNodes, encodeCompressedNodes } from './compressed-nodes.ts';
export type { Observed } from './context.ts';
export {
  type InstanceWorkflowInput,
  mirrorInstanceWorkflow,
  planInstanceWorkflow,
} from './instance-adapter.ts';
export { mirrorWorkflow, type OperationStatus } from './mirror.ts';
export * from './names.ts';
export type { WorkflowOperation } from './operations.ts';
export { planWorkflow } from './plan.ts';
export { renderWorkflowRbac, type WorkflowRbac } from './rbac.ts';
export { CWT } from './templates/catalog.ts';
export { clusterWorkflowTemplates } from './templates/index.ts';
