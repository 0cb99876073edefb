// Deletion (FR-007). Delete: the finalizer removes the PVCs and lets garbage collection cascade
// through the ownerReferences. Retain: the PVCs and the credentials Secret are released from the
// instance and labelled so that a later restore can find them.
import type { KubernetesListObject, V1PersistentVolumeClaim, V1Secret } from '@kubernetes/client-node';
import type { MiddlewareInstance } from '../../api/index.ts';
import { mergePatch, patchStatus } from '../../kube/apply.ts';
import { isNotFound } from '../../kube/errors.ts';
import { resourcePath } from '../../kube/gvr.ts';
import type { KubeRest } from '../../kube/rest.ts';
import { audit, type Logger } from '../../log/logger.ts';
import { FINALIZER, LABEL_INSTANCE, LABEL_RETAINED_FROM } from './names.ts';

export async function finalizeInstance(opts: {
  rest: KubeRest;
  instance: MiddlewareInstance;
  log: Logger;
  now: Date;
}): Promise<void> {
  const { rest, instance, log } = opts;
  if (!instance.metadata.finalizers?.includes(FINALIZER)) return;
  const namespace = instance.metadata.namespace!;
  const name = instance.metadata.name!;
  if (instance.status?.phase !== 'Terminating') {
    await patchStatus(rest, instance, {
      phase: 'Terminating',
      message: 'deleting the instance and its resources',
    });
  }
  const selector = `${LABEL_INSTANCE}=${name}`;
  const pvcs = await rest.get<KubernetesListObject<V1PersistentVolumeClaim>>(
    resourcePath('v1', 'PersistentVolumeClaim', { namespace }),
    { query: { labelSelector: selector } },
  );
  const policy = instance.spec.deletionPolicy ?? 'Delete';
  if (policy === 'Retain') {
    for (const pvc of pvcs.items)
      await release(rest, { ...pvc, apiVersion: 'v1', kind: 'PersistentVolumeClaim' }, name);
    if (!instance.spec.credentials?.existingSecret) {
      try {
        const secret = await rest.get<V1Secret>(
          resourcePath('v1', 'Secret', { namespace, name: `${name}-credentials` }),
        );
        await release(rest, { ...secret, apiVersion: 'v1', kind: 'Secret' }, name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  } else {
    for (const pvc of pvcs.items) {
      try {
        await rest.delete(
          resourcePath('v1', 'PersistentVolumeClaim', { namespace, name: pvc.metadata!.name! }),
        );
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }
  await mergePatch(rest, instance, {
    metadata: {
      finalizers: (instance.metadata.finalizers ?? []).filter((f) => f !== FINALIZER),
      resourceVersion: instance.metadata.resourceVersion,
    },
  });
  audit(log, {
    action: 'Delete',
    kind: 'MiddlewareInstance',
    namespace,
    name,
    result: 'finalized',
    detail: `deletionPolicy ${policy}: ${pvcs.items.length} PVC(s) ${policy === 'Retain' ? 'kept' : 'deleted'}`,
  });
}

/** Drops the ownerReference to the instance and labels the object for a later restore. */
async function release(
  rest: KubeRest,
  obj: {
    apiVersion: string;
    kind: string;
    metadata?: { name?: string; namespace?: string; ownerReferences?: Array<{ kind: string }> };
  },
  instanceName: string,
): Promise<void> {
  const owners = (obj.metadata?.ownerReferences ?? []).filter(
    (o) => o.kind !== 'MiddlewareInstance' && o.kind !== 'StatefulSet',
  );
  await mergePatch(rest, obj as never, {
    metadata: {
      labels: { [LABEL_RETAINED_FROM]: instanceName },
      ownerReferences: owners.length ? owners : null,
    },
  });
}
