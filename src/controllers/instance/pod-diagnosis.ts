// Pure: why the members of an instance are not becoming ready (edge case 2). Reads what the
// kubelet wrote into pod status; the controller adds the tail of the logs.
import type { V1Pod } from '@kubernetes/client-node';

export interface PodProblem {
  pod: string;
  container: string;
  reason: string;
  message: string;
  /** Since when the pod has been not ready, ms since epoch. */
  since: number;
}

const FATAL_WAITING = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

function notReadySince(pod: V1Pod): number | undefined {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return undefined;
  const t = ready?.lastTransitionTime ?? pod.metadata?.creationTimestamp;
  return t ? new Date(t).getTime() : undefined;
}

export function diagnosePods(pods: V1Pod[]): PodProblem[] {
  const problems: PodProblem[] = [];
  for (const pod of pods) {
    const since = notReadySince(pod);
    if (since === undefined) continue;
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    let found = false;
    for (const cs of statuses) {
      const waiting = cs.state?.waiting;
      const terminated = cs.state?.terminated ?? cs.lastState?.terminated;
      if (waiting?.reason && (FATAL_WAITING.has(waiting.reason) || waiting.message)) {
        problems.push({
          pod: pod.metadata?.name ?? '',
          container: cs.name,
          reason: waiting.reason,
          message: waiting.message ?? waiting.reason,
          since,
        });
        found = true;
      } else if (terminated && terminated.exitCode !== 0) {
        problems.push({
          pod: pod.metadata?.name ?? '',
          container: cs.name,
          reason: terminated.reason ?? 'Error',
          message: `exited with code ${terminated.exitCode}${terminated.message ? `: ${terminated.message}` : ''}`,
          since,
        });
        found = true;
      }
    }
    const unschedulable = pod.status?.conditions?.find(
      (c) => c.type === 'PodScheduled' && c.status === 'False',
    );
    if (!found && unschedulable) {
      problems.push({
        pod: pod.metadata?.name ?? '',
        container: '',
        reason: unschedulable.reason ?? 'Unschedulable',
        message: unschedulable.message ?? 'the pod cannot be scheduled',
        since,
      });
    }
  }
  return problems;
}

/** Problems that have lasted longer than the threshold: the instance is Failed, not just slow. */
export function persistentProblems(problems: PodProblem[], now: number, thresholdMs: number): PodProblem[] {
  return problems.filter((p) => now - p.since >= thresholdMs);
}
