// Names, labels and the owner reference shared by every child of an instance.
import type { V1ObjectMeta, V1OwnerReference } from '@kubernetes/client-node';
import type { MiddlewareInstance } from '../api/index.ts';
import { RenderError } from './errors.ts';

export const MANAGED_BY = 'mwop';
export const LABEL_INSTANCE = 'mwop.dev/instance';
export const LABEL_TYPE = 'mwop.dev/type';
export const LABEL_CREDENTIALS = 'mwop.dev/credentials';
export const ANNOTATION_CONFIG_CHECKSUM = 'mwop.dev/config-checksum';
export const ANNOTATION_OPERATOR_NAMESPACE = 'mwop.dev/operator-namespace';

/** app.kubernetes.io/component of each child. Pods are "middleware". */
export type Component = 'credentials' | 'config' | 'middleware' | 'tls' | 'metrics';

export const names = (instance: MiddlewareInstance) => {
  const n = instance.metadata.name!;
  return {
    statefulSet: n,
    /** The client Service carries the instance's own name: host is <name>.<namespace>.svc. */
    clientService: n,
    headlessService: `${n}-headless`,
    configMap: `${n}-config`,
    generatedSecret: `${n}-credentials`,
    certificate: `${n}-tls`,
    tlsSecret: `${n}-tls`,
    podMonitor: n,
  };
};

export function commonLabels(
  instance: MiddlewareInstance,
  typeName: string,
  component: Component,
): Record<string, string> {
  return {
    'app.kubernetes.io/name': typeName,
    'app.kubernetes.io/instance': instance.metadata.name!,
    'app.kubernetes.io/managed-by': MANAGED_BY,
    'app.kubernetes.io/component': component,
    [LABEL_INSTANCE]: instance.metadata.name!,
    [LABEL_TYPE]: typeName,
  };
}

/**
 * Selects the middleware pods only. Backup tool pods carry mwop.dev/instance as well, so the
 * component label keeps them out of the Services. Never change it: a StatefulSet's selector is
 * immutable.
 */
export function podSelector(instance: MiddlewareInstance): Record<string, string> {
  return { [LABEL_INSTANCE]: instance.metadata.name!, 'app.kubernetes.io/component': 'middleware' };
}

export function ownerReference(instance: MiddlewareInstance): V1OwnerReference {
  const uid = instance.metadata.uid;
  if (!uid)
    throw new RenderError(
      'metadata.uid',
      uid,
      'children are owned by the instance, so render needs the instance as read from the API server, with its uid',
    );
  return {
    apiVersion: instance.apiVersion,
    kind: instance.kind,
    name: instance.metadata.name!,
    uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function childMeta(
  instance: MiddlewareInstance,
  typeName: string,
  component: Component,
  name: string,
  extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
): V1ObjectMeta {
  return {
    name,
    namespace: instance.metadata.namespace,
    labels: { ...commonLabels(instance, typeName, component), ...extra.labels },
    ...(extra.annotations && Object.keys(extra.annotations).length ? { annotations: extra.annotations } : {}),
    ownerReferences: [ownerReference(instance)],
  };
}
