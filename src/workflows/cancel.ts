// Cancelling a running operation: the patch that stops its workflow (Argo's spec.shutdown) and
// the condition the instance gets. Nothing here needs a finalizer: Argo stops the pods, marks
// the workflow Failed with "Stopped with strategy ...", mirrorWorkflow reports Cancelled, and the
// TTL collects the workflow.
import type { Condition } from '../api/index.ts';
import type { Workflow } from './argo-types.ts';
import { mirrorWorkflow } from './mirror.ts';
import { LABEL_OPERATION } from './names.ts';

export type ShutdownStrategy = 'Terminate' | 'Stop';

export interface CancelRequest {
  /** Who or what asked, for the message, e.g. "annotation mwop.dev/cancel on team-a/cache". */
  requestedBy: string;
  /** Terminate stops at once; Stop also lets exit handlers run. Default Terminate. */
  strategy?: ShutdownStrategy;
  /** RFC 3339 time for the condition (passed in: planning is pure). */
  now: string;
  observedGeneration?: number;
}

export interface CancelPlan {
  /** JSON merge patch for the Workflow; undefined when it has already finished or is already stopping. */
  patch?: { spec: { shutdown: ShutdownStrategy } };
  /** Condition for the instance (or MiddlewareOperation). */
  condition: Condition;
}

export const CANCELLED_CONDITION = 'OperationCancelled';

export function planCancel(wf: Workflow, req: CancelRequest): CancelPlan {
  const strategy = req.strategy ?? 'Terminate';
  if (strategy !== 'Terminate' && strategy !== 'Stop') {
    throw new Error(
      `mwop.dev/cancel: "${String(strategy)}" is not a shutdown strategy; accepted: Terminate or Stop`,
    );
  }
  const name = wf.metadata.name ?? '(unnamed)';
  const operation = wf.metadata.labels?.[LABEL_OPERATION] ?? 'operation';
  const mirrored = mirrorWorkflow(wf);
  const finished =
    mirrored.phase === 'Succeeded' || mirrored.phase === 'Failed' || mirrored.phase === 'Cancelled';
  const where = mirrored.progress ? ` after ${mirrored.progress} steps` : '';
  const condition = (status: Condition['status'], reason: string, message: string): Condition => ({
    type: CANCELLED_CONDITION,
    status,
    reason,
    message,
    lastTransitionTime: req.now,
    ...(req.observedGeneration !== undefined ? { observedGeneration: req.observedGeneration } : {}),
  });
  if (finished) {
    return {
      condition: condition(
        'False',
        'AlreadyFinished',
        `${operation} workflow ${name} had already finished (${mirrored.phase}) when ${req.requestedBy} asked to cancel it; nothing was stopped`,
      ),
    };
  }
  if (wf.spec.shutdown) {
    return {
      condition: condition(
        'True',
        'Cancelling',
        `${operation} workflow ${name} is already stopping (spec.shutdown: ${wf.spec.shutdown})${where}`,
      ),
    };
  }
  return {
    patch: { spec: { shutdown: strategy } },
    condition: condition(
      'True',
      'Cancelled',
      `${operation} workflow ${name} cancelled by ${req.requestedBy}${where} (spec.shutdown: ${strategy}); the instance keeps what earlier operations applied`,
    ),
  };
}
