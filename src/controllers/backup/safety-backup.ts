// The safety backup an in-place restore takes first, as a MiddlewareBackup of its own so a user can
// see it and roll back to it. The operator creates the CR before the restore workflow; the backup
// reconciler adopts it (no workflow of its own: the restore workflow's `safety-backup` step is the
// run) and follows that step. Retention treats it like any other backup; the newest successful one
// is still never deleted. Pure, except ensureSafetyBackup.
import type { MiddlewareBackup, MiddlewareInstance, MiddlewareOperation } from '../../api/index.ts';
import { API_VERSION } from '../../api/index.ts';
import { isConflict } from '../../kube/errors.ts';
import { resourcePath } from '../../kube/gvr.ts';
import type { KubeRest } from '../../kube/rest.ts';
import type { NodeStatus } from '../../workflows/argo-types.ts';
import { nodesOf } from '../../workflows/compressed-nodes.ts';
import { boundedName } from '../../workflows/names.ts';
import type { WorkflowLike } from '../instance/deps.ts';

export const LABEL_SAFETY_BACKUP = 'mwop.dev/safety-backup';
/** The workflow whose step takes this backup; the backup reconciler starts none of its own. */
export const ANNOTATION_TAKEN_BY_WORKFLOW = 'mwop.dev/taken-by-workflow';
export const ANNOTATION_TAKEN_BY_STEP = 'mwop.dev/taken-by-step';
export const ANNOTATION_RESTORE_OF = 'mwop.dev/restore-of';
export const SAFETY_STEP = 'safety-backup';

export function safetyBackupName(operation: string): string {
  return boundedName(`${operation}-safety`);
}

/** The CR of the safety backup of a Restore operation; its workflow is the operation's. */
export function safetyBackupObject(input: {
  operation: MiddlewareOperation;
  instance: MiddlewareInstance;
  storage: string;
  workflow: string;
}): MiddlewareBackup {
  const { operation, instance } = input;
  return {
    apiVersion: API_VERSION,
    kind: 'MiddlewareBackup',
    metadata: {
      name: safetyBackupName(operation.metadata.name!),
      namespace: instance.metadata.namespace!,
      labels: {
        'mwop.dev/instance': instance.metadata.name!,
        'mwop.dev/type': instance.spec.type,
        [LABEL_SAFETY_BACKUP]: 'true',
        'mwop.dev/operation': operation.metadata.name!,
      },
      annotations: {
        [ANNOTATION_TAKEN_BY_WORKFLOW]: input.workflow,
        [ANNOTATION_TAKEN_BY_STEP]: SAFETY_STEP,
        [ANNOTATION_RESTORE_OF]: operation.spec.restore?.backup ?? '',
      },
    },
    spec: { instanceRef: { name: instance.metadata.name! }, storage: input.storage },
  };
}

/** Creates the CR; one that exists already (a repeated reconcile) is fine. */
export async function ensureSafetyBackup(rest: KubeRest, backup: MiddlewareBackup): Promise<void> {
  try {
    await rest.post(
      resourcePath(API_VERSION, 'MiddlewareBackup', { namespace: backup.metadata.namespace }),
      backup,
    );
  } catch (err) {
    if (!isConflict(err)) throw err;
  }
}

export type StepOutcome =
  | { phase: 'Running' }
  | { phase: 'Succeeded' }
  | { phase: 'Failed'; message: string };

/** Where one DAG task of a workflow stands: its node's phase, or the workflow's end without it. */
export function workflowStepOutcome(wf: WorkflowLike, step: string): StepOutcome {
  const name = wf.metadata?.name;
  const nodes = Object.values(nodesOf(wf.status as never)) as NodeStatus[];
  const node = nodes.find((n) => n.displayName === step && (n.boundaryID ?? name) === name);
  if (node?.phase === 'Succeeded') return { phase: 'Succeeded' };
  if (node?.phase === 'Failed' || node?.phase === 'Error') {
    return { phase: 'Failed', message: `step ${step}: ${node.message ?? node.phase.toLowerCase()}` };
  }
  const wfPhase = (wf.status as { phase?: string } | undefined)?.phase;
  if (wfPhase === 'Succeeded' || wfPhase === 'Failed' || wfPhase === 'Error') {
    const why = (wf.status as { message?: string } | undefined)?.message;
    return {
      phase: 'Failed',
      message: `workflow ${name} ended (${wfPhase}${why ? `: ${why}` : ''}) before step ${step} succeeded`,
    };
  }
  return { phase: 'Running' };
}
