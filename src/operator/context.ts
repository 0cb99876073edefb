import type { Registry } from 'prom-client';
import type { EventRecorder } from '../kube/events.ts';
import type { KubeRest } from '../kube/rest.ts';
import type { Logger } from '../log/logger.ts';
import type { OperatorConfig } from './config.ts';

/** What every controller gets: clients, logging, metrics, events and settings. */
export interface OperatorContext {
  config: OperatorConfig;
  rest: KubeRest;
  log: Logger;
  registry: Registry;
  events: EventRecorder;
}

/** A unit the operator starts when it becomes leader and stops on shutdown or lost leadership. */
export interface Runnable {
  name: string;
  /** Resolves once caches are synced and workers run. */
  start(): Promise<void>;
  /** Stops taking new work; waits up to graceMs for in-flight work. */
  stop(graceMs: number): Promise<void>;
}
