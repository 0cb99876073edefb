// What every planner knows about the instance it plans for, computed once.
import type { MiddlewareInstance } from '../api/index.ts';
import type { ResolvedPlugin } from '../plugins/types.ts';

/** What the caller observed in the cluster; everything is optional and has a safe default. */
export interface Observed {
  /** Workflow name to use; default: workflowName(instance, operation, generation). */
  name?: string;
  /** The StatefulSet as rendered for the target spec; create applies it, rolling changes apply its pod template. */
  workload?: Record<string, unknown>;
  /** Ordinal of the current primary (from /role); default 0. */
  primaryOrdinal?: number;
  /** ConfigReload: the settings to apply and the keys whose values changed. */
  config?: { settings: Record<string, string | number | boolean>; changedKeys?: string[] };
  /** Overrides the operation's default deadline (MiddlewareOperation.spec.activeDeadlineSeconds). */
  activeDeadlineSeconds?: number;
  /** Upgrade: the plugin version the members run now (its agent answers /pre-upgrade); default: the target. */
  currentPlugin?: ResolvedPlugin;
  /** Image of the operator for steps that run its CLI. */
  operatorImage?: string;
}

export interface PlanContext {
  plugin: ResolvedPlugin;
  instance: MiddlewareInstance;
  name: string;
  namespace: string;
  /** Members the spec asks for. */
  replicas: number;
  /** Members the workload runs now (status.applied.replicas), for changes that do not scale. */
  running: number;
  observed: Observed;
}

export function planContext(
  plugin: ResolvedPlugin,
  instance: MiddlewareInstance,
  observed: Observed,
): PlanContext {
  const name = instance.metadata.name;
  const namespace = instance.metadata.namespace;
  if (!name)
    throw new Error('metadata.name: the instance has no name; a workflow needs one to address its members');
  if (!namespace)
    throw new Error(
      `metadata.namespace: instance ${name} has no namespace; workflows run in the instance namespace`,
    );
  const replicas = instance.spec.replicas ?? 1;
  const running = instance.status?.applied?.replicas ?? replicas;
  return { plugin, instance, name, namespace, replicas, running, observed };
}

export const range = (from: number, to: number): number[] =>
  from <= to ? Array.from({ length: to - from }, (_, i) => from + i) : [];
