// The rendered config files (FR-030). The checksum annotation lets the agent and the planner see
// which config the members run with; the pod template carries the same value.
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { MiddlewareInstance } from '../api/index.ts';
import type { RenderedConfig } from '../config/types.ts';
import type { ResolvedPlugin } from '../plugins/types.ts';
import { ANNOTATION_CONFIG_CHECKSUM, childMeta, names } from './meta.ts';

export function renderConfigMap(
  instance: MiddlewareInstance,
  plugin: ResolvedPlugin,
  config: RenderedConfig,
): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: childMeta(instance, plugin.typeName, 'config', names(instance).configMap, {
      annotations: { [ANNOTATION_CONFIG_CHECKSUM]: config.checksum },
    }),
    data: { ...config.files },
  };
}
