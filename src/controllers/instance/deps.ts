// What the instance reconciler needs from the rest of mwop, as functions. The operator wires the
// real registry, config validator, renderer and workflow planners; tests may pass others.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { MiddlewareInstance, OperationRecord } from '../../api/index.ts';
import type { ConfigResult } from '../../config/types.ts';
import type { ResolvedPlugin } from '../../plugins/types.ts';
import type { InstanceOperation } from './operations.ts';

export interface WorkflowLike extends KubernetesObject {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export interface InstanceDeps {
  /** Throws an Error whose message says what exists when the triple does not resolve. */
  resolve(type: string, pluginVersion: string, middlewareVersion?: string): ResolvedPlugin;
  canUpgrade(type: string, from: string, to: string): { ok: true } | { ok: false; reason: string };
  validateConfig(plugin: ResolvedPlugin, instance: MiddlewareInstance): Promise<ConfigResult>;
  /** Desired steady-state objects, in apply order. */
  renderObjects(input: {
    instance: MiddlewareInstance;
    plugin: ResolvedPlugin;
    config: ConfigResult & { ok: true };
    generatedPassword?: string;
  }): KubernetesObject[];
  planWorkflow(input: {
    operation: InstanceOperation;
    plugin: ResolvedPlugin;
    /** The plugin the workload runs now, for upgrades. */
    currentPlugin: ResolvedPlugin;
    instance: MiddlewareInstance;
    name: string;
  }): WorkflowLike | Promise<WorkflowLike>;
  /** Phase, progress and failure of a workflow, as an operation record. */
  mirrorWorkflow(workflow: WorkflowLike): Omit<OperationRecord, 'name' | 'type'>;
  compareQuantity(a: string, b: string): number;
}
