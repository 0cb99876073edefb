// There are no kubelets in this environment: the tests play their part by writing the pod status
// a kubelet writes once the containers run and pass their readiness probes.
import type { V1Pod } from '@kubernetes/client-node';
import { patchStatus } from '../../../src/kube/apply.ts';
import { isNotFound } from '../../../src/kube/errors.ts';
import { resourcePath } from '../../../src/kube/gvr.ts';
import type { KubeRest } from '../../../src/kube/rest.ts';
import { eventually } from './cluster.ts';

/** Plays the kubelet: the pods of the StatefulSet become Running and Ready. */
export async function podsReady(rest: KubeRest, ns: string, name: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const podName = `${name}-${i}`;
    const pod = await eventually(`pod ${podName} created by the StatefulSet controller`, async () => {
      try {
        return await rest.get<V1Pod>(resourcePath('v1', 'Pod', { namespace: ns, name: podName }));
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    });
    const now = new Date().toISOString();
    await patchStatus(
      rest,
      { ...pod, apiVersion: 'v1', kind: 'Pod' },
      {
        phase: 'Running',
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
          { type: 'Ready', status: 'True', lastTransitionTime: now },
          { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
        ],
      },
    );
  }
}
