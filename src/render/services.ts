// FR-011: a headless Service that gives every member a stable DNS name, and a client Service of the
// requested type.
import type { V1Service, V1ServicePort } from '@kubernetes/client-node';
import type { MiddlewareInstance } from '../api/index.ts';
import type { ResolvedPlugin } from '../plugins/types.ts';
import { childMeta, names, podSelector } from './meta.ts';

function typePorts(plugin: ResolvedPlugin): V1ServicePort[] {
  return plugin.version.workload.ports.map((p) => ({
    name: p.name,
    port: p.port,
    targetPort: p.name,
    protocol: p.protocol ?? 'TCP',
  }));
}

export function renderHeadlessService(instance: MiddlewareInstance, plugin: ResolvedPlugin): V1Service {
  const ports = typePorts(plugin);
  // The hook port too, so workflows reach each member's agent at <pod>.<name>-headless:<port>.
  if (!ports.some((p) => p.port === plugin.hookPort))
    ports.push({
      name: 'hooks',
      port: plugin.hookPort,
      targetPort: 'hooks',
      protocol: 'TCP',
    });
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMeta(instance, plugin.typeName, 'middleware', names(instance).headlessService),
    spec: {
      clusterIP: 'None',
      // Members must find each other before they are ready: replication is set up during init,
      // which is what makes them ready.
      publishNotReadyAddresses: true,
      selector: podSelector(instance),
      ports,
    },
  };
}

export function renderClientService(instance: MiddlewareInstance, plugin: ResolvedPlugin): V1Service {
  const type = instance.spec.serviceType ?? 'ClusterIP';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMeta(instance, plugin.typeName, 'middleware', names(instance).clientService),
    spec: {
      type,
      selector: podSelector(instance),
      ports: typePorts(plugin),
    },
  };
}
