// Pure: instance + resolved plugin + rendered config -> the desired child objects, in apply order.
// No I/O, no clock, no randomness: the generated password and every cluster fact come in as input.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { MiddlewareInstance } from '../api/index.ts';
import type { ConfigResult } from '../config/types.ts';
import type { ResolvedPlugin } from '../plugins/types.ts';
import { renderCertificate } from './certificate.ts';
import { renderConfigMap } from './configmap.ts';
import { ANNOTATION_OPERATOR_NAMESPACE } from './meta.ts';
import { renderPodMonitor } from './monitor.ts';
import { renderCredentialsSecret } from './secret.ts';
import { renderClientService, renderHeadlessService } from './services.ts';
import { renderStatefulSet } from './statefulset.ts';
import type { RenderInput, RenderOptions, RenderOutput } from './types.ts';
import { validateInstanceName, validatePorts } from './validate.ts';

export { type ConnectionInfo, connectionInfo } from './connection.ts';
export { DEFAULT_AGENT_RESOURCES } from './effective.ts';
export { RenderError } from './errors.ts';
export { names } from './meta.ts';
export * from './quantity.ts';
export {
  type Footprint,
  type FootprintInput,
  instanceFootprint,
  scheduledBackupApplies,
} from './resources.ts';
export type { RenderCondition, RenderInput, RenderOptions, RenderOutput } from './types.ts';
export { MAX_INSTANCE_NAME, validateInstanceName, validatePorts } from './validate.ts';

/**
 * Apply order: what the pods mount comes before the pods (Secret, ConfigMap, Certificate), the
 * Services before the StatefulSet that names the headless one, the monitor last.
 */
export function renderInstanceObjects(input: RenderInput): RenderOutput {
  const { instance, plugin, config, options } = input;
  validateInstanceName(instance);
  validatePorts(plugin);
  const objects: KubernetesObject[] = [];
  const conditions: RenderOutput['conditions'] = [];

  const secret = renderCredentialsSecret(instance, plugin, input.credentials.generatedPassword);
  if (secret) objects.push(secret);
  objects.push(renderConfigMap(instance, plugin, config));
  const tls = renderCertificate(instance, plugin, options);
  if (tls.certificate) objects.push(tls.certificate);
  if (tls.condition) conditions.push(tls.condition);
  objects.push(renderHeadlessService(instance, plugin), renderClientService(instance, plugin));
  objects.push(renderStatefulSet(instance, plugin, config, options, { tls: tls.certificate !== undefined }));
  const monitor = renderPodMonitor(instance, plugin, options);
  if (monitor) objects.push(monitor);

  if (options.operatorNamespace) {
    for (const o of objects)
      o.metadata!.annotations = {
        ...o.metadata!.annotations,
        [ANNOTATION_OPERATOR_NAMESPACE]: options.operatorNamespace,
      };
  }
  return { objects, conditions };
}

/**
 * The shape src/controllers/instance/deps.ts asks for (renderObjects), with the operator's options
 * bound once at start-up.
 */
export function instanceRenderer(options: RenderOptions) {
  return (input: {
    instance: MiddlewareInstance;
    plugin: ResolvedPlugin;
    config: ConfigResult & { ok: true };
    generatedPassword?: string;
  }): KubernetesObject[] =>
    renderInstanceObjects({
      instance: input.instance,
      plugin: input.plugin,
      config: input.config.config,
      credentials:
        input.generatedPassword === undefined ? {} : { generatedPassword: input.generatedPassword },
      options,
    }).objects;
}
