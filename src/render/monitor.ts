// FR-033: with the Prometheus Operator installed, a PodMonitor. A PodMonitor rather than a
// ServiceMonitor because it scrapes every member directly, ready or not, and needs no metrics port on
// the Services. The scrape annotations on the pods are set either way (statefulset.ts).
import type { KubernetesObject, V1LabelSelector, V1ObjectMeta } from '@kubernetes/client-node';
import type { MiddlewareInstance } from '../api/index.ts';
import type { ResolvedPlugin } from '../plugins/types.ts';
import { metricsEndpoint } from './effective.ts';
import { childMeta, names, podSelector } from './meta.ts';
import type { RenderOptions } from './types.ts';

export interface PodMonitor extends KubernetesObject {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'PodMonitor';
  metadata: V1ObjectMeta;
  spec: {
    selector: V1LabelSelector;
    podMetricsEndpoints: Array<{ port: string; path: string; interval: string }>;
  };
}

export function renderPodMonitor(
  instance: MiddlewareInstance,
  plugin: ResolvedPlugin,
  options: RenderOptions,
): PodMonitor | undefined {
  if (!options.prometheusOperator) return undefined;
  const m = metricsEndpoint(plugin);
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: childMeta(instance, plugin.typeName, 'metrics', names(instance).podMonitor),
    spec: {
      selector: { matchLabels: podSelector(instance) },
      podMetricsEndpoints: [{ port: m.portName, path: m.path, interval: '30s' }],
    },
  };
}
