// Pure: the instance status from what one reconcile observed. Phases follow docs/states.md.
import type {
  InstancePhase,
  MiddlewareInstance,
  MiddlewareInstanceStatus,
  OperationRecord,
} from '../../api/index.ts';
import { setCondition } from '../conditions.ts';
import { PHASE_OF_OPERATION } from './operations.ts';
import type { Blocker } from './plan.ts';
import type { PodProblem } from './pod-diagnosis.ts';

export interface StatusInput {
  instance: MiddlewareInstance;
  now: string;
  deleting: boolean;
  /** Type, plugin version or middleware version that does not resolve. */
  resolveError?: string;
  /** Config errors, already formatted as 'path: message (got value)'. */
  configErrors?: string[];
  blockers: Blocker[];
  /** The running operation, mirrored from its workflow. */
  current?: OperationRecord;
  /** An operation that finished during this reconcile. */
  finished?: OperationRecord;
  /** A MiddlewareBackup of this instance is running. */
  backupRunning?: boolean;
  workload?: { replicas: number; readyReplicas: number };
  /** Problems that lasted past the threshold, with log tails appended to messages. */
  podProblems: PodProblem[];
  connection?: { host: string; port: number; secretName: string };
  /** The next operation could not be planned (a TerminalError from the planner): type and why. */
  planError?: { type: string; message: string };
  /** Set observedGeneration: only when the reconcile succeeded. */
  succeeded: boolean;
  applied?: MiddlewareInstanceStatus['applied'];
}

const MAX_RECENT = 10;

export function computeInstanceStatus(input: StatusInput): MiddlewareInstanceStatus {
  const prev = input.instance.status ?? {};
  const applied = input.applied ?? prev.applied;
  const everApplied = Boolean(applied?.pluginVersion);
  const recent = input.finished
    ? [
        input.finished,
        ...(prev.operations?.recent ?? []).filter((r) => r.name !== input.finished?.name),
      ].slice(0, MAX_RECENT)
    : (prev.operations?.recent ?? []);
  const lastFinished = recent[0];
  const createFailed = !everApplied && lastFinished?.type === 'Create' && lastFinished.phase === 'Failed';

  let phase: InstancePhase;
  let message: string;
  if (input.deleting) {
    phase = 'Terminating';
    message = 'deleting the instance and its resources';
  } else if (input.podProblems.length > 0) {
    // Members that stay broken past the threshold need a human even while an operation waits on them.
    phase = 'Failed';
    message = input.podProblems
      .map((p) => `pod ${p.pod}${p.container ? ` container ${p.container}` : ''}: ${p.reason}: ${p.message}`)
      .join('; ');
  } else if (input.current) {
    phase = PHASE_OF_OPERATION[input.current.type as keyof typeof PHASE_OF_OPERATION] ?? 'Maintenance';
    message = `${input.current.type} in progress${input.current.progress ? ` (${input.current.progress} steps)` : ''}`;
  } else if (input.backupRunning) {
    phase = 'BackingUp';
    message = 'a backup is running';
  } else if (!everApplied && (input.resolveError || input.configErrors?.length)) {
    phase = 'Failed';
    message = input.resolveError ?? `invalid config: ${input.configErrors?.join('; ')}`;
  } else if (createFailed) {
    phase = 'Failed';
    message = `create failed at step ${lastFinished?.failedStep ?? '?'}: ${lastFinished?.message ?? ''}`;
  } else if (!everApplied) {
    phase = 'Pending';
    message = 'waiting to be created';
  } else {
    phase = 'Running';
    message = 'running';
  }
  if (input.planError && (phase === 'Running' || phase === 'Pending')) {
    message = `${input.planError.type} cannot start: ${input.planError.message}`;
  }

  let conditions = prev.conditions ?? [];
  const gen = input.instance.metadata.generation;
  const cond = (type: string, ok: boolean, reason: string, msg: string) => {
    conditions = setCondition(
      conditions,
      {
        type,
        status: ok ? 'True' : 'False',
        reason,
        message: msg,
        ...(gen !== undefined ? { observedGeneration: gen } : {}),
      },
      input.now,
    );
  };

  if (input.resolveError) cond('ConfigValid', false, 'PluginNotResolved', input.resolveError);
  else if (input.configErrors?.length)
    cond('ConfigValid', false, 'ConfigInvalid', input.configErrors.join('; '));
  else cond('ConfigValid', true, 'Valid', 'the config satisfies the plugin CUE schema');

  if (input.current) cond('Progressing', true, input.current.type, message);
  else cond('Progressing', false, 'Idle', 'no operation is running');

  const w = input.workload;
  const wantReplicas = applied?.replicas ?? input.instance.spec.replicas ?? 1;
  const allReady = w !== undefined && w.readyReplicas >= wantReplicas && wantReplicas > 0;
  if (phase === 'Running' && allReady)
    cond('Ready', true, 'AllMembersReady', `${w?.readyReplicas}/${wantReplicas} members ready`);
  else
    cond(
      'Ready',
      false,
      phase === 'Running' ? 'MembersNotReady' : phase,
      w ? `${w.readyReplicas}/${wantReplicas} members ready` : message,
    );

  const degraded =
    input.podProblems.length > 0 || (everApplied && w !== undefined && w.readyReplicas < wantReplicas);
  cond(
    'Degraded',
    degraded,
    degraded ? 'MembersNotReady' : 'Healthy',
    degraded ? message : 'all members healthy',
  );

  const failedHere =
    (lastFinished?.phase === 'Failed' || lastFinished?.phase === 'Cancelled') &&
    lastFinished.name.includes(`-g${gen}`)
      ? lastFinished
      : undefined;
  if (input.blockers.length > 0) {
    cond('SpecApplied', false, input.blockers[0]!.reason, input.blockers.map((b) => b.message).join('; '));
  } else if (input.planError) {
    cond(
      'SpecApplied',
      false,
      `${input.planError.type}PlanningFailed`,
      `${input.planError.type} cannot start: ${input.planError.message}`,
    );
  } else if (failedHere?.phase === 'Cancelled') {
    cond(
      'SpecApplied',
      false,
      'OperationCancelled',
      `${failedHere.type} was cancelled${failedHere.progress ? ` after ${failedHere.progress} steps` : ''}: ${failedHere.message ?? 'by request'}; change the spec to try again`,
    );
  } else if (failedHere) {
    cond(
      'SpecApplied',
      false,
      'OperationFailed',
      `${failedHere.type} failed${failedHere.failedStep ? ` at step ${failedHere.failedStep}` : ''}: ${failedHere.message ?? 'no message'}`,
    );
  } else if (input.current) {
    cond('SpecApplied', false, 'InProgress', message);
  } else {
    cond('SpecApplied', true, 'Applied', 'the workload matches the spec');
  }

  // A cancelled operation is said in its own condition, visible even when other blockers exist.
  if (lastFinished?.phase === 'Cancelled') {
    cond(
      'OperationCancelled',
      true,
      'Cancelled',
      `${lastFinished.type} ${lastFinished.name} was cancelled${lastFinished.progress ? ` after ${lastFinished.progress} steps` : ''}: ${lastFinished.message ?? 'by request'}`,
    );
  } else if (conditions.some((c) => c.type === 'OperationCancelled')) {
    cond('OperationCancelled', false, 'NotCancelled', 'the last operation was not cancelled');
  }

  const status: MiddlewareInstanceStatus = {
    ...prev,
    phase,
    message,
    conditions,
    operations: { ...(input.current ? { current: input.current } : {}), recent },
    ...(applied ? { applied } : {}),
    ...(applied?.pluginVersion ? { pluginVersion: applied.pluginVersion } : {}),
    ...(applied?.middlewareVersion ? { middlewareVersion: applied.middlewareVersion } : {}),
    ...(w ? { replicas: w.replicas, readyReplicas: w.readyReplicas } : {}),
    ...(input.connection ? { connection: input.connection } : {}),
  };
  if (!input.current && status.operations) delete status.operations.current;
  if (input.succeeded && gen !== undefined) status.observedGeneration = gen;
  return status;
}
