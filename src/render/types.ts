// Inputs and outputs of the renderer. Everything that varies between calls is passed in: no clock,
// no randomness, no API reads inside render/.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { MiddlewareInstance, ResourceRequirements } from '../api/index.ts';
import type { RenderedConfig } from '../config/types.ts';
import type { ResolvedPlugin } from '../plugins/types.ts';

export interface RenderOptions {
  /** Hook agent image used when the supported version does not name its own agentImage. */
  agentImage?: string;
  /** Resources of the agent sidecar; DEFAULT_AGENT_RESOURCES when unset. */
  agentResources?: ResourceRequirements;
  /** The operator's namespace, recorded on children for support (never used for placement). */
  operatorNamespace?: string;
  /** cert-manager's CRDs are installed (certificates.cert-manager.io). */
  certManager?: boolean;
  /** Prometheus Operator's CRDs are installed (podmonitors.monitoring.coreos.com). */
  prometheusOperator?: boolean;
  /** Cluster DNS domain for the certificate's FQDN names; default cluster.local. */
  clusterDomain?: string;
}

export interface RenderInput {
  instance: MiddlewareInstance;
  plugin: ResolvedPlugin;
  config: RenderedConfig;
  /**
   * A freshly generated password, passed only when the credentials Secret does not exist yet.
   * Without it the Secret is not rendered at all, so a later apply can never overwrite or drop a
   * password the members already use.
   */
  credentials: { generatedPassword?: string };
  options: RenderOptions;
}

/** A metav1.Condition without its transition time, which the status writer sets. */
export interface RenderCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

export interface RenderOutput {
  /** Desired objects in apply order: Secret, ConfigMap, Services, Certificate, StatefulSet, PodMonitor. */
  objects: KubernetesObject[];
  /** Integrations that were asked for but cannot be rendered, and why. */
  conditions: RenderCondition[];
}
