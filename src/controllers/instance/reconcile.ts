// The instance reconciler: thin. It reads the cached state, asks the pure planners what to do,
// acts (server-side apply, create a workflow), and writes status once at the end.
import { randomBytes } from 'node:crypto';
import type { KubernetesObject, V1Pod, V1StatefulSet, V1StorageClass } from '@kubernetes/client-node';
import type {
  MiddlewareBackup,
  MiddlewareInstance,
  MiddlewareInstanceStatus,
  OperationRecord,
} from '../../api/index.ts';
import type { ConfigResult, RenderedConfig } from '../../config/types.ts';
import type { AppliedMemo } from '../../kube/applied-memo.ts';
import { mergePatch, patchStatus, serverSideApply } from '../../kube/apply.ts';
import { isConflict, isNotFound, TerminalError } from '../../kube/errors.ts';
import type { EventRecorder } from '../../kube/events.ts';
import { resourcePath } from '../../kube/gvr.ts';
import type { Cache } from '../../kube/informer.ts';
import { mergePatchBetween } from '../../kube/merge-patch.ts';
import type { KubeRest } from '../../kube/rest.ts';
import { audit, type Logger } from '../../log/logger.ts';
import type { ResolvedPlugin } from '../../plugins/types.ts';
import { ANNOTATION_PARAMETERS, LABEL_INSTANCE } from '../../workflows/names.ts';
import { ANNOTATION_TAKEN_BY_WORKFLOW } from '../backup/safety-backup.ts';
import { appliedAfter } from './applied.ts';
import type { InstanceDeps, WorkflowLike } from './deps.ts';
import { finalizeInstance } from './finalizer.ts';
import { ANNOTATION_CANCEL, FINALIZER, operationName } from './names.ts';
import type { InstanceOperation } from './operations.ts';
import { changesVersion, operationSlug } from './operations.ts';
import { planOperation } from './plan.ts';
import { diagnosePods, type PodProblem, persistentProblems } from './pod-diagnosis.ts';
import { computeInstanceStatus } from './status.ts';

export interface InstanceCaches {
  instances: Cache<MiddlewareInstance>;
  statefulSets: Cache<V1StatefulSet>;
  workflows: Cache<WorkflowLike>;
  pods: Cache<V1Pod>;
  storageClasses?: Cache<V1StorageClass>;
  backups?: Cache<MiddlewareBackup>;
}

export interface InstanceReconcilerOptions {
  rest: KubeRest;
  caches: InstanceCaches;
  deps: InstanceDeps;
  events: EventRecorder;
  log: Logger;
  now?: () => Date;
  /** Members not ready for this long move the instance to Failed (edge case 2). */
  notReadyThresholdMs?: number;
  /** Tail of the logs appended to a failure, in lines. */
  logTailLines?: number;
  /** Skips re-applying children that are unchanged since this process applied them (issue #13). */
  applied?: AppliedMemo;
}

const FINISHED = new Set(['Succeeded', 'Failed', 'Error', 'Cancelled']);

const workflowNameFor = (instance: MiddlewareInstance, operation: InstanceOperation) =>
  operationName(instance.metadata.name!, operationSlug(operation.kind), instance.metadata.generation ?? 0);

/**
 * The same change at the same generation failed before: it is not started again until the user
 * changes the spec, so nothing is prepared for it either (an upgrade's target config, for one).
 */
function failedBefore(
  instance: MiddlewareInstance,
  operation: InstanceOperation,
  prevStatus: MiddlewareInstanceStatus,
): boolean {
  const name = workflowNameFor(instance, operation);
  return prevStatus.operations?.recent?.some((r) => r.name === name && r.phase !== 'Succeeded') ?? false;
}

export class InstanceReconciler {
  private readonly o: Required<Omit<InstanceReconcilerOptions, 'now' | 'applied'>> & {
    now: () => Date;
    applied?: AppliedMemo;
  };

  constructor(opts: InstanceReconcilerOptions) {
    this.o = { notReadyThresholdMs: 300_000, logTailLines: 20, now: () => new Date(), ...opts };
  }

  async reconcile(key: string): Promise<{ requeueAfterMs?: number } | undefined> {
    const [namespace, name] = key.split('/') as [string, string];
    const instance = this.o.caches.instances.get(namespace, name);
    if (!instance) return undefined;

    if (instance.metadata.deletionTimestamp) {
      this.o.applied?.forget(key);
      await finalizeInstance({ rest: this.o.rest, instance, log: this.o.log, now: this.o.now() });
      return undefined;
    }
    if (!instance.metadata.finalizers?.includes(FINALIZER)) {
      const withFinalizer = await mergePatch<MiddlewareInstance>(this.o.rest, instance, {
        metadata: {
          finalizers: [...(instance.metadata.finalizers ?? []), FINALIZER],
          resourceVersion: instance.metadata.resourceVersion,
        },
      });
      // Go on with what the patch returned. Waiting for its update event would cost a new
      // instance a second pass through the queue before its create workflow starts (issue #13).
      return this.reconcileLive(withFinalizer);
    }
    return this.reconcileLive(instance);
  }

  private async reconcileLive(
    instance: MiddlewareInstance,
  ): Promise<{ requeueAfterMs?: number } | undefined> {
    const { deps } = this.o;
    const spec = instance.spec;
    const now = this.o.now();
    const prevStatus = instance.status ?? {};
    let applied = prevStatus.applied;

    // 1. Resolve what the spec asks for, and what the workload runs now.
    let plugin: ResolvedPlugin;
    let currentPlugin: ResolvedPlugin;
    try {
      plugin = deps.resolve(spec.type, spec.pluginVersion, spec.middlewareVersion);
      currentPlugin = applied?.pluginVersion
        ? deps.resolve(spec.type, applied.pluginVersion, applied.middlewareVersion)
        : plugin;
    } catch (err) {
      await this.writeStatus(instance, {
        resolveError: (err as Error).message,
        blockers: [],
        succeeded: false,
      });
      throw new TerminalError((err as Error).message);
    }

    // 2. Validate the config before anything is applied (FR-032). Config belongs to a plugin
    // version: the members get the config of the version they run; the target version's config
    // is checked too, so a pending upgrade with a bad config is reported before it starts.
    const validated = new Map<ResolvedPlugin, Promise<ConfigResult>>();
    const validate = (p: ResolvedPlugin): Promise<ConfigResult> => {
      const known = validated.get(p) ?? deps.validateConfig(p, instance);
      validated.set(p, known);
      return known;
    };
    let configResult = await validate(applied?.pluginVersion ? currentPlugin : plugin);
    const targetConfig = await validate(plugin);
    const configErrors = [configResult, targetConfig].flatMap((r) =>
      r.ok
        ? []
        : r.errors.map(
            (e) =>
              `${e.path}: ${e.message}${e.value === undefined ? '' : ` (got ${JSON.stringify(e.value)})`}`,
          ),
    );
    const configFailed = configErrors.length > 0 ? [...new Set(configErrors)] : undefined;
    let config: RenderedConfig | undefined = configResult.ok ? configResult.config : undefined;

    // 3. Follow the running operation, if any. One a MiddlewareOperation started (restore in
    // place, restart, switchover) runs in a workflow the operation controller made: the instance
    // shows it as its current operation too, so its phase says Restoring or Maintenance.
    let current = prevStatus.operations?.current ?? (await this.adoptOperationWorkflow(instance, prevStatus));
    let finished: OperationRecord | undefined;
    if (current) {
      const wf = this.o.caches.workflows.get(instance.metadata.namespace, current.workflow ?? current.name);
      const mirrored = wf
        ? { ...current, ...deps.mirrorWorkflow(wf) }
        : {
            ...current,
            phase: 'Failed',
            message: `workflow ${current.workflow ?? current.name} disappeared before it finished`,
          };
      if (
        wf &&
        !FINISHED.has(mirrored.phase) &&
        instance.metadata.annotations?.[ANNOTATION_CANCEL] === 'true'
      ) {
        // Cancel: Argo stops the steps and ends the workflow; the next mirror reports Cancelled.
        if (!wf.spec?.shutdown) {
          await mergePatch(this.o.rest, wf, { spec: { shutdown: 'Terminate' } });
          this.o.events.record(
            instance,
            'Normal',
            'CancelRequested',
            `stopping workflow ${wf.metadata?.name}`,
          );
        }
      }
      if (FINISHED.has(mirrored.phase)) {
        if (instance.metadata.annotations?.[ANNOTATION_CANCEL]) {
          // The request is spent: a later operation must not be cancelled by it.
          await mergePatch(this.o.rest, instance, {
            metadata: { annotations: { [ANNOTATION_CANCEL]: null } },
          });
        }
        finished = { ...mirrored, finishedAt: mirrored.finishedAt ?? now.toISOString() };
        current = undefined;
        // A MiddlewareOperation changes no applied spec field: only the instance's own do.
        if (finished.phase === 'Succeeded' && finished.parameters && !isAdopted(finished)) {
          const op = JSON.parse(finished.parameters) as InstanceOperation;
          applied = appliedAfter(op, instance, applied, {
            middlewareVersion: plugin.middleware.version,
            configChecksum: config?.checksum ?? applied?.configChecksum ?? '',
          });
          // What runs now is what the operation applied: render the workload from that version,
          // or this reconcile would put the old image back into the template the workflow changed.
          if (applied?.pluginVersion && changesVersion(op.kind)) {
            currentPlugin = deps.resolve(spec.type, applied.pluginVersion, applied.middlewareVersion);
            configResult = await validate(currentPlugin);
            config = configResult.ok ? configResult.config : undefined;
          }
        }
        this.announceFinished(instance, finished);
      } else {
        current = mirrored;
      }
    }

    // 4. Decide the next change when nothing runs.
    const storageExpandable = this.storageExpandable(spec.storage.storageClassName);
    const plan = planOperation({
      instance: { ...instance, status: { ...prevStatus, ...(applied ? { applied } : {}) } },
      desiredMiddlewareVersion: plugin.middleware.version,
      desiredConfigChecksum: config?.checksum ?? applied?.configChecksum ?? '',
      ...(targetConfig.ok ? { targetConfigChecksum: targetConfig.config.checksum } : {}),
      scaling: {
        minReplicas: plugin.version.scalingRules.minReplicas,
        maxReplicas: plugin.version.scalingRules.maxReplicas,
      },
      canUpgrade: (from, to) => deps.canUpgrade(spec.type, from, to),
      storageExpandable,
      compareQuantity: deps.compareQuantity,
    });
    // A new change needs a valid config; a finished operation is recorded before the next starts.
    const canStart = !current && !finished && config !== undefined && targetConfig.ok;

    // 5. Steady-state objects. While an operation runs, the workflow owns the workload.
    // An upgrade or version switch restarts the members: the ConfigMap holds the target version's
    // config before the first one restarts, so each starts with it and no reload follows.
    const starting =
      canStart && plan.operation !== undefined && !failedBefore(instance, plan.operation, prevStatus);
    const rendered =
      (current && changesVersion(current.type)) || (starting && changesVersion(plan.operation?.kind))
        ? targetConfig
        : configResult;
    if (config && rendered.ok) {
      const objects = await this.desiredObjects(instance, plugin, currentPlugin, rendered, applied);
      const liveSts = this.o.caches.statefulSets.get(instance.metadata.namespace, instance.metadata.name!);
      // Only a steady instance skips unchanged children: around an operation the workflow changes
      // the workload, so everything is applied as before.
      const owner = `${instance.metadata.namespace}/${instance.metadata.name}`;
      if (current || finished || starting) this.o.applied?.forget(owner);
      const apply = async (obj: KubernetesObject) => {
        // Create needs the StatefulSet (at zero members) before its workflow scales it up.
        if (obj.kind === 'StatefulSet' && (current || starting) && liveSts) return;
        // A StatefulSet changed by someone else since our apply has a new generation: apply again.
        const version = obj.kind === 'StatefulSet' ? String(liveSts?.metadata?.generation) : undefined;
        if (this.o.applied?.isFresh(owner, obj, version)) return;
        const result = await serverSideApply(this.o.rest, obj);
        this.o.applied?.record(owner, obj, {
          ...(obj.kind === 'StatefulSet' ? { version: String(result?.metadata?.generation) } : {}),
        });
      };
      // The render order is kept where it matters: what the pods mount and the Services come
      // before the StatefulSet, the monitor after it. Within each group the requests go out
      // together (issue #13: one round trip instead of four on a resync).
      const at = objects.findIndex((o) => o.kind === 'StatefulSet');
      const groups = at < 0 ? [objects] : [objects.slice(0, at), [objects[at]!], objects.slice(at + 1)];
      for (const group of groups) await Promise.all(group.map(apply));
    }
    // Started after the objects exist, so no workflow step ever looks for a missing StatefulSet.
    // An operation that cannot be planned (a spec.restoreFrom naming a backup of another type) is
    // written into status, not only an event, and is not retried until something changes.
    let planError: { type: string; message: string } | undefined;
    if (canStart && plan.operation) {
      try {
        current = await this.startOperation(instance, plan.operation, plugin, currentPlugin, prevStatus);
      } catch (err) {
        if (!(err instanceof TerminalError)) throw err;
        planError = { type: plan.operation.kind, message: err.message };
      }
    }

    // 6. Status.
    const podProblems = await this.podProblems(instance, now);
    const sts = this.o.caches.statefulSets.get(instance.metadata.namespace, instance.metadata.name!);
    await this.writeStatus(instance, {
      configErrors: configFailed,
      blockers: plan.blockers,
      current,
      finished,
      podProblems,
      applied,
      workload: sts
        ? { replicas: sts.status?.replicas ?? 0, readyReplicas: sts.status?.readyReplicas ?? 0 }
        : undefined,
      connection: this.connection(instance, plugin),
      backupRunning: this.backupRunning(instance),
      ...(planError ? { planError } : {}),
      succeeded: configFailed === undefined,
    });
    if (configFailed && !applied?.pluginVersion)
      throw new TerminalError(`invalid config: ${configFailed.join('; ')}`);
    // Poll while something is in flight: workflow and pod events also wake us, this is a safety net.
    return current || podProblems.length > 0 ? { requeueAfterMs: 30_000 } : undefined;
  }

  private async startOperation(
    instance: MiddlewareInstance,
    operation: InstanceOperation,
    plugin: ResolvedPlugin,
    currentPlugin: ResolvedPlugin,
    prevStatus: MiddlewareInstanceStatus,
  ): Promise<OperationRecord | undefined> {
    const name = workflowNameFor(instance, operation);
    if (failedBefore(instance, operation, prevStatus)) return undefined;
    const wf = await this.o.deps.planWorkflow({ operation, plugin, currentPlugin, instance, name });
    let created = true;
    try {
      await this.o.rest.post(
        resourcePath('argoproj.io/v1alpha1', 'Workflow', { namespace: instance.metadata.namespace }),
        wf,
      );
    } catch (err) {
      if (!isConflict(err) && (err as { statusCode?: number }).statusCode !== 409) throw err;
      // Already created by a previous reconcile or a previous leader: adopt it, announce nothing twice.
      created = false;
    }
    if (created) this.announceStarted(instance, operation.kind, name);
    return {
      name,
      type: operation.kind,
      workflow: name,
      parameters: JSON.stringify(operation),
      phase: 'Pending',
      startedAt: this.o.now().toISOString(),
    };
  }

  private announceStarted(instance: MiddlewareInstance, kind: string, name: string): void {
    this.o.events.record(instance, 'Normal', `${kind}Started`, `started workflow ${name}`, kind);
    audit(this.o.log, {
      action: kind,
      kind: 'MiddlewareInstance',
      namespace: instance.metadata.namespace,
      name: instance.metadata.name!,
      actor: instance.metadata.annotations?.['mwop.dev/last-applied-by'],
      result: 'started',
      detail: `workflow ${name}`,
    });
  }

  private announceFinished(instance: MiddlewareInstance, op: OperationRecord): void {
    const ok = op.phase === 'Succeeded';
    const note = ok
      ? `${op.type} succeeded`
      : `${op.type} ${op.phase.toLowerCase()}${op.failedStep ? ` at step ${op.failedStep}` : ''}: ${op.message ?? ''}`;
    this.o.events.record(
      instance,
      ok ? 'Normal' : 'Warning',
      `${op.type}${ok ? 'Succeeded' : 'Failed'}`,
      note,
      op.type,
    );
    audit(this.o.log, {
      action: op.type,
      kind: 'MiddlewareInstance',
      namespace: instance.metadata.namespace,
      name: instance.metadata.name!,
      result: op.phase,
      detail: note,
    });
  }

  /**
   * The running workflow of a MiddlewareOperation on this instance (labelled with the instance,
   * named after the operation), as an operation record, or undefined when there is none.
   */
  private async adoptOperationWorkflow(
    instance: MiddlewareInstance,
    prevStatus: MiddlewareInstanceStatus,
  ): Promise<OperationRecord | undefined> {
    const known = new Set((prevStatus.operations?.recent ?? []).map((r) => r.workflow ?? r.name));
    const candidates = this.o.caches.workflows
      .list(instance.metadata.namespace)
      .filter(
        (wf) =>
          wf.metadata?.labels?.[LABEL_INSTANCE] === instance.metadata.name &&
          !wf.status?.finishedAt &&
          !FINISHED.has(String(wf.status?.phase ?? '')) &&
          !known.has(wf.metadata?.name ?? ''),
      );
    for (const wf of candidates) {
      const name = wf.metadata?.name as string;
      try {
        await this.o.rest.get(
          resourcePath('mwop.dev/v1alpha1', 'MiddlewareOperation', {
            namespace: instance.metadata.namespace,
            name,
          }),
        );
      } catch (err) {
        if (isNotFound(err)) continue;
        throw err;
      }
      const parameters = wf.metadata?.annotations?.[ANNOTATION_PARAMETERS];
      const kind = parameters ? (JSON.parse(parameters) as { kind?: string }).kind : undefined;
      return {
        name: `${ADOPTED_PREFIX}${name}`,
        type: kind ?? 'CustomHook',
        workflow: name,
        phase: 'Running',
        ...(parameters ? { parameters } : {}),
        ...(typeof wf.status?.startedAt === 'string' ? { startedAt: wf.status.startedAt } : {}),
      };
    }
    return undefined;
  }

  private async desiredObjects(
    instance: MiddlewareInstance,
    plugin: ResolvedPlugin,
    currentPlugin: ResolvedPlugin,
    config: { ok: true; config: RenderedConfig },
    applied: MiddlewareInstanceStatus['applied'],
  ): Promise<KubernetesObject[]> {
    const generatedPassword = await this.passwordIfNeeded(instance);
    // The workload keeps what finished operations applied; only workflows change it.
    const effective: MiddlewareInstance = {
      ...instance,
      spec: {
        ...instance.spec,
        pluginVersion: applied?.pluginVersion ?? instance.spec.pluginVersion,
        middlewareVersion: applied?.middlewareVersion ?? instance.spec.middlewareVersion,
        replicas: applied?.replicas ?? 0,
        ...(applied?.resources ? { resources: applied.resources } : {}),
      },
    };
    const objects = this.o.deps.renderObjects({
      instance: effective,
      plugin: applied?.pluginVersion ? currentPlugin : plugin,
      config,
      ...(generatedPassword ? { generatedPassword } : {}),
    });
    const existing = this.o.caches.statefulSets.get(instance.metadata.namespace, instance.metadata.name!);
    return objects.map((obj) => {
      // volumeClaimTemplates are immutable: keep the ones the StatefulSet was created with and grow PVCs directly.
      if (obj.kind === 'StatefulSet' && existing?.spec?.volumeClaimTemplates) {
        const sts = obj as V1StatefulSet;
        return { ...sts, spec: { ...sts.spec!, volumeClaimTemplates: existing.spec.volumeClaimTemplates } };
      }
      return obj;
    });
  }

  /** A new random password, only when the credentials Secret does not exist yet. */
  private async passwordIfNeeded(instance: MiddlewareInstance): Promise<string | undefined> {
    if (instance.spec.credentials?.existingSecret) return undefined;
    const owner = `${instance.metadata.namespace}/${instance.metadata.name}`;
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { namespace: instance.metadata.namespace, name: `${instance.metadata.name}-credentials` },
    };
    // Applied or found by this process, and not yet due for a check: it exists, no GET.
    if (this.o.applied?.knows(owner, secret)) return undefined;
    try {
      await this.o.rest.get(
        resourcePath('v1', 'Secret', {
          namespace: instance.metadata.namespace,
          name: `${instance.metadata.name}-credentials`,
        }),
      );
      this.o.applied?.record(owner, secret, { exact: false });
      return undefined;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return randomBytes(18).toString('base64url');
    }
  }

  /**
   * A backup of its own is running. One taken by a step of an operation's workflow (an in-place
   * restore's safety backup) does not count: the instance shows that operation's phase, and the
   * backup is Running from the moment it is adopted, before that workflow exists.
   */
  private backupRunning(instance: MiddlewareInstance): boolean {
    return (this.o.caches.backups?.list(instance.metadata.namespace) ?? []).some(
      (b) =>
        b.spec.instanceRef.name === instance.metadata.name &&
        b.status?.phase === 'Running' &&
        !b.metadata.annotations?.[ANNOTATION_TAKEN_BY_WORKFLOW],
    );
  }

  private storageExpandable(className: string | undefined): boolean | undefined {
    const informer = this.o.caches.storageClasses;
    if (!informer) return undefined;
    const cls = className
      ? informer.get(undefined, className)
      : informer
          .list()
          .find((c) => c.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true');
    return cls ? cls.allowVolumeExpansion === true : undefined;
  }

  private async podProblems(instance: MiddlewareInstance, now: Date): Promise<PodProblem[]> {
    const pods = this.o.caches.pods
      .list(instance.metadata.namespace)
      .filter((p) => p.metadata?.labels?.['mwop.dev/instance'] === instance.metadata.name);
    const problems = persistentProblems(diagnosePods(pods), now.getTime(), this.o.notReadyThresholdMs);
    for (const p of problems) {
      if (!p.container) continue;
      const tail = await this.logTail(instance.metadata.namespace!, p.pod, p.container);
      if (tail) p.message += ` | last log lines: ${tail}`;
    }
    return problems;
  }

  private async logTail(namespace: string, pod: string, container: string): Promise<string | undefined> {
    try {
      const res = await this.o.rest.raw('GET', `${resourcePath('v1', 'Pod', { namespace, name: pod })}/log`, {
        query: { container, tailLines: this.o.logTailLines, previous: false },
        timeoutMs: 5_000,
      });
      if (res.status !== 200) return undefined;
      return (await res.text()).trim().split('\n').slice(-this.o.logTailLines).join(' / ').slice(0, 2000);
    } catch {
      return undefined;
    }
  }

  private connection(instance: MiddlewareInstance, plugin: ResolvedPlugin) {
    const port = plugin.version.workload.ports[0]?.port;
    if (!port) return undefined;
    return {
      host: `${instance.metadata.name}.${instance.metadata.namespace}.svc`,
      port,
      secretName: instance.spec.credentials?.existingSecret ?? `${instance.metadata.name}-credentials`,
    };
  }

  private async writeStatus(
    instance: MiddlewareInstance,
    part: Omit<
      Parameters<typeof computeInstanceStatus>[0],
      'instance' | 'now' | 'deleting' | 'podProblems'
    > & {
      podProblems?: PodProblem[];
    },
  ): Promise<void> {
    const status = computeInstanceStatus({
      instance,
      now: this.o.now().toISOString(),
      deleting: false,
      podProblems: [],
      ...part,
    });
    const patch = mergePatchBetween(instance.status ?? {}, status);
    if (patch === undefined) return; // nothing changed: no write
    await patchStatus(this.o.rest, instance, patch);
  }
}

/** Records of operations a MiddlewareOperation started carry its name with this prefix. */
const ADOPTED_PREFIX = 'MiddlewareOperation/';
const isAdopted = (r: OperationRecord) => r.name.startsWith(ADOPTED_PREFIX);
