import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { MiddlewareInstance, OperationRecord } from '../../../src/api/index.ts';
import { diagnosePods, persistentProblems } from '../../../src/controllers/instance/pod-diagnosis.ts';
import { computeInstanceStatus, type StatusInput } from '../../../src/controllers/instance/status.ts';

const now = '2026-11-29T02:00:00Z';
const applied = {
  replicas: 3,
  pluginVersion: 'v1',
  middlewareVersion: '7.2.11',
  storageSize: '1Gi',
  configChecksum: 'c',
};

function base(status: MiddlewareInstance['status'] = {}, over: Partial<StatusInput> = {}): StatusInput {
  return {
    instance: {
      apiVersion: 'mwop.dev/v1alpha1',
      kind: 'MiddlewareInstance',
      metadata: { name: 'cache', namespace: 'a', generation: 4 },
      spec: { type: 'redis', pluginVersion: 'v1', replicas: 3, storage: { size: '1Gi' } },
      status,
    },
    now,
    deleting: false,
    blockers: [],
    podProblems: [],
    succeeded: true,
    ...over,
  };
}

const cond = (s: ReturnType<typeof computeInstanceStatus>, type: string) =>
  s.conditions?.find((c) => c.type === type);

describe('computeInstanceStatus', () => {
  it('Pending before anything is applied', () => {
    expect(computeInstanceStatus(base()).phase).toBe('Pending');
  });

  it('Initializing while Create runs, with Progressing=True', () => {
    const current: OperationRecord = {
      name: 'cache-create-g1',
      type: 'Create',
      phase: 'Running',
      progress: '2/5',
    };
    const s = computeInstanceStatus(base({}, { current }));
    expect(s.phase).toBe('Initializing');
    expect(s.message).toBe('Create in progress (2/5 steps)');
    expect(cond(s, 'Progressing')?.status).toBe('True');
    expect(s.operations?.current).toEqual(current);
  });

  it('Running and Ready when every member is ready', () => {
    const s = computeInstanceStatus(base({ applied }, { workload: { replicas: 3, readyReplicas: 3 } }));
    expect(s.phase).toBe('Running');
    expect(cond(s, 'Ready')).toMatchObject({ status: 'True', reason: 'AllMembersReady' });
    expect(cond(s, 'Degraded')?.status).toBe('False');
    expect(s.observedGeneration).toBe(4);
  });

  it('a blocked upgrade keeps Running and says exactly why in SpecApplied', () => {
    const s = computeInstanceStatus(
      base(
        { applied },
        {
          workload: { replicas: 3, readyReplicas: 3 },
          blockers: [
            { reason: 'UpgradeNotAllowed', message: 'spec.pluginVersion: redis v1 cannot upgrade to v3' },
          ],
        },
      ),
    );
    expect(s.phase).toBe('Running');
    expect(s.pluginVersion).toBe('v1');
    expect(cond(s, 'SpecApplied')).toMatchObject({
      status: 'False',
      reason: 'UpgradeNotAllowed',
      message: 'spec.pluginVersion: redis v1 cannot upgrade to v3',
    });
  });

  it('a failed pre-check leaves the version and phase, with the failed step in SpecApplied', () => {
    const finished: OperationRecord = {
      name: 'cache-upgrade-g4',
      type: 'Upgrade',
      phase: 'Failed',
      failedStep: 'pre-upgrade-cache-0',
      message: 'refused: an RDB save is in progress',
    };
    const s = computeInstanceStatus(
      base({ applied }, { finished, workload: { replicas: 3, readyReplicas: 3 } }),
    );
    expect(s.phase).toBe('Running');
    expect(s.pluginVersion).toBe('v1');
    expect(cond(s, 'SpecApplied')?.message).toBe(
      'Upgrade failed at step pre-upgrade-cache-0: refused: an RDB save is in progress',
    );
    expect(s.operations?.recent?.[0]).toEqual(finished);
  });

  it('Failed with the container error when pods never become ready', () => {
    const s = computeInstanceStatus(
      base(
        { applied },
        {
          podProblems: [
            {
              pod: 'cache-0',
              container: 'redis',
              reason: 'ImagePullBackOff',
              message: 'image "nope" not found',
              since: 0,
            },
          ],
        },
      ),
    );
    expect(s.phase).toBe('Failed');
    expect(s.message).toBe('pod cache-0 container redis: ImagePullBackOff: image "nope" not found');
  });

  it('Terminating wins over everything', () => {
    const s = computeInstanceStatus(
      base({ applied }, { deleting: true, current: { name: 'x', type: 'ScaleOut', phase: 'Running' } }),
    );
    expect(s.phase).toBe('Terminating');
  });

  it('observedGeneration is only set when the reconcile succeeded', () => {
    const s = computeInstanceStatus(base({ applied, observedGeneration: 3 }, { succeeded: false }));
    expect(s.observedGeneration).toBe(3);
  });

  it('keeps the transition time of a condition whose status did not change', () => {
    const first = computeInstanceStatus(base({ applied }, { workload: { replicas: 3, readyReplicas: 3 } }));
    const later = computeInstanceStatus({
      ...base({ ...first }, { workload: { replicas: 3, readyReplicas: 3 } }),
      now: '2026-11-29T03:00:00Z',
    });
    expect(cond(later, 'Ready')?.lastTransitionTime).toBe(now);
  });

  it('invalid config at creation is Failed with the field path', () => {
    const s = computeInstanceStatus(
      base({}, { configErrors: ['spec.config.overrides.maxmemory-policy: must be one of ...'] }),
    );
    expect(s.phase).toBe('Failed');
    expect(cond(s, 'ConfigValid')).toMatchObject({ status: 'False', reason: 'ConfigInvalid' });
  });
});

describe('diagnosePods', () => {
  const pod = (over: Partial<V1Pod['status']>): V1Pod => ({
    metadata: { name: 'cache-0', creationTimestamp: new Date(0) },
    status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: new Date(1000) }], ...over },
  });

  it('reports image pull failures and crash loops with the kubelet message', () => {
    const problems = diagnosePods([
      pod({
        containerStatuses: [
          {
            name: 'redis',
            ready: false,
            restartCount: 0,
            image: 'x',
            imageID: '',
            state: { waiting: { reason: 'ErrImagePull', message: 'pull access denied for nope' } },
          },
        ],
      }),
    ]);
    expect(problems).toEqual([
      {
        pod: 'cache-0',
        container: 'redis',
        reason: 'ErrImagePull',
        message: 'pull access denied for nope',
        since: 1000,
      },
    ]);
    expect(persistentProblems(problems, 1000 + 299_999, 300_000)).toEqual([]);
    expect(persistentProblems(problems, 1000 + 300_000, 300_000)).toHaveLength(1);
  });

  it('ignores ready pods and reports a non-zero exit', () => {
    const ready: V1Pod = {
      metadata: { name: 'ok' },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    };
    const crashed = pod({
      containerStatuses: [
        {
          name: 'redis',
          ready: false,
          restartCount: 3,
          image: 'x',
          imageID: '',
          lastState: { terminated: { exitCode: 1, reason: 'Error', message: 'FATAL config' } },
          state: { running: {} },
        },
      ],
    });
    expect(diagnosePods([ready, crashed]).map((p) => p.message)).toEqual([
      'exited with code 1: FATAL config',
    ]);
  });
});
