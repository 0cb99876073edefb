// MiddlewareOperation: a one-shot operation, run once as a workflow, like a Job. One operation per
// instance at a time; a second one waits. Cancelling (annotation mwop.dev/cancel=true) stops the
// workflow and ends the operation as Cancelled, with no finalizer to get stuck on.
import type {
  MiddlewareInstance,
  MiddlewareOperation,
  MiddlewareOperationStatus,
  OperationRecord,
} from '../../api/index.ts';
import { mergePatch, patchStatus } from '../../kube/apply.ts';
import { isConflict, TerminalError } from '../../kube/errors.ts';
import type { EventRecorder } from '../../kube/events.ts';
import { resourcePath } from '../../kube/gvr.ts';
import type { Cache } from '../../kube/informer.ts';
import { mergePatchBetween } from '../../kube/merge-patch.ts';
import type { KubeRest } from '../../kube/rest.ts';
import { audit, type Logger } from '../../log/logger.ts';
import type { ResolvedPlugin } from '../../plugins/types.ts';
import { setCondition } from '../conditions.ts';
import type { WorkflowLike } from '../instance/deps.ts';
import { ANNOTATION_CANCEL } from '../instance/names.ts';

export interface OperationDeps {
  resolve(type: string, pluginVersion: string, middlewareVersion?: string): ResolvedPlugin;
  planWorkflow(input: {
    operation: MiddlewareOperation;
    instance: MiddlewareInstance;
    plugin: ResolvedPlugin;
    name: string;
  }): WorkflowLike | Promise<WorkflowLike>;
  mirrorWorkflow(workflow: WorkflowLike): Omit<OperationRecord, 'name' | 'type'>;
}

const TERMINAL = new Set(['Succeeded', 'Failed', 'Cancelled']);

export interface OperationReconcilerOptions {
  rest: KubeRest;
  operations: Cache<MiddlewareOperation>;
  instances: Cache<MiddlewareInstance>;
  workflows: Cache<WorkflowLike>;
  deps: OperationDeps;
  events: EventRecorder;
  log: Logger;
  now?: () => Date;
}

export class OperationReconciler {
  private readonly o: OperationReconcilerOptions;

  constructor(opts: OperationReconcilerOptions) {
    this.o = opts;
  }

  private now(): string {
    return (this.o.now?.() ?? new Date()).toISOString();
  }

  async reconcile(key: string): Promise<{ requeueAfterMs?: number } | undefined> {
    const [namespace, name] = key.split('/') as [string, string];
    const op = this.o.operations.get(namespace, name);
    if (!op || op.metadata.deletionTimestamp) return undefined;
    const status = op.status ?? {};
    if (status.phase && TERMINAL.has(status.phase)) return undefined;
    const wfName = status.workflow ?? name;
    const wf = this.o.workflows.get(namespace, wfName);
    const cancel = op.metadata.annotations?.[ANNOTATION_CANCEL] === 'true';

    if (cancel) {
      if (wf && !wf.status?.finishedAt) {
        await mergePatch(this.o.rest, wf, { spec: { shutdown: 'Terminate' } });
      }
      await this.write(op, {
        phase: 'Cancelled',
        message: 'cancelled by the mwop.dev/cancel annotation; the workflow was terminated',
        completionTime: this.now(),
      });
      this.o.events.record(op, 'Normal', 'Cancelled', 'operation cancelled by annotation');
      return undefined;
    }

    const instance = this.o.instances.get(namespace, op.spec.instanceRef.name);
    if (!instance) {
      await this.write(op, {
        phase: 'Failed',
        message: `spec.instanceRef.name: no MiddlewareInstance "${op.spec.instanceRef.name}" in namespace ${namespace}`,
        completionTime: this.now(),
      });
      return undefined;
    }

    if (!wf && !status.workflow) {
      const busy = this.busyWith(op, instance);
      if (busy) {
        await this.write(op, {
          phase: 'Pending',
          message: `waiting for ${busy} on ${instance.metadata.name} to finish`,
        });
        return { requeueAfterMs: 10_000 };
      }
      let plugin: ResolvedPlugin;
      try {
        plugin = this.o.deps.resolve(
          instance.spec.type,
          instance.status?.applied?.pluginVersion ?? instance.spec.pluginVersion,
        );
      } catch (err) {
        await this.write(op, {
          phase: 'Failed',
          message: (err as Error).message,
          completionTime: this.now(),
        });
        return undefined;
      }
      let workflow: WorkflowLike;
      try {
        workflow = await this.o.deps.planWorkflow({ operation: op, instance, plugin, name });
      } catch (err) {
        if (!(err instanceof TerminalError)) throw err;
        // The operation cannot be planned (e.g. a restore from a backup of another type): said in
        // status with its own condition reason, and final, like a Job that cannot start.
        await this.write(
          op,
          { phase: 'Failed', message: err.message, completionTime: this.now() },
          'PlanningFailed',
        );
        this.o.events.record(op, 'Warning', 'PlanningFailed', err.message);
        return undefined;
      }
      try {
        await this.o.rest.post(resourcePath('argoproj.io/v1alpha1', 'Workflow', { namespace }), workflow);
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
      audit(this.o.log, {
        action: op.spec.type,
        kind: 'MiddlewareInstance',
        namespace,
        name: instance.metadata.name!,
        result: 'started',
        detail: `MiddlewareOperation ${name}`,
      });
      await this.write(op, {
        phase: 'Running',
        workflow: name,
        startTime: this.now(),
        message: `workflow ${name} started`,
      });
      return { requeueAfterMs: 30_000 };
    }

    if (!wf) {
      await this.write(op, {
        phase: 'Failed',
        message: `workflow ${wfName} disappeared before it finished`,
        completionTime: this.now(),
      });
      return undefined;
    }
    const m = this.o.deps.mirrorWorkflow(wf);
    const finished = TERMINAL.has(m.phase) || m.phase === 'Error';
    const phase = (m.phase === 'Error' ? 'Failed' : m.phase) as MiddlewareOperationStatus['phase'];
    await this.write(op, {
      phase,
      progress: m.progress,
      failedStep: m.failedStep,
      message:
        m.message ?? (finished ? `${op.spec.type} ${m.phase.toLowerCase()}` : `${op.spec.type} running`),
      ...(finished ? { completionTime: m.finishedAt ?? this.now() } : {}),
    });
    if (finished) {
      const ok = phase === 'Succeeded';
      this.o.events.record(
        op,
        ok ? 'Normal' : 'Warning',
        ok ? 'Succeeded' : 'Failed',
        m.message ?? String(phase),
      );
      audit(this.o.log, {
        action: op.spec.type,
        kind: 'MiddlewareInstance',
        namespace,
        name: instance.metadata.name!,
        result: String(phase),
        detail: m.message ?? '',
      });
      return undefined;
    }
    return { requeueAfterMs: 30_000 };
  }

  /** Another operation on the same instance that has not finished, oldest first wins. */
  private busyWith(op: MiddlewareOperation, instance: MiddlewareInstance): string | undefined {
    if (instance.status?.operations?.current)
      return `${instance.status.operations.current.type} ${instance.status.operations.current.name}`;
    const others = this.o.operations
      .list(op.metadata.namespace)
      .filter(
        (o) =>
          o.metadata.name !== op.metadata.name &&
          o.spec.instanceRef.name === op.spec.instanceRef.name &&
          !TERMINAL.has(o.status?.phase ?? '') &&
          (o.status?.phase === 'Running' ||
            String(o.metadata.creationTimestamp) < String(op.metadata.creationTimestamp) ||
            (String(o.metadata.creationTimestamp) === String(op.metadata.creationTimestamp) &&
              String(o.metadata.name) < String(op.metadata.name))),
      );
    return others[0] ? `MiddlewareOperation ${others[0].metadata.name}` : undefined;
  }

  private async write(
    op: MiddlewareOperation,
    part: Partial<MiddlewareOperationStatus>,
    reason?: string,
  ): Promise<void> {
    const prev = op.status ?? {};
    const next: MiddlewareOperationStatus = { ...prev, ...part };
    for (const k of Object.keys(next) as (keyof MiddlewareOperationStatus)[])
      if (next[k] === undefined) delete next[k];
    const terminal = next.phase !== undefined && TERMINAL.has(next.phase);
    next.conditions = setCondition(
      prev.conditions,
      {
        type: 'Complete',
        status: terminal ? 'True' : 'False',
        reason: reason ?? next.phase ?? 'Pending',
        message: next.message ?? '',
      },
      this.now(),
    );
    next.observedGeneration = op.metadata.generation;
    const patch = mergePatchBetween(prev, next);
    if (patch) await patchStatus(this.o.rest, op, patch);
  }
}
