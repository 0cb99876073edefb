// Kubernetes steps, each a reference to a ClusterWorkflowTemplate with its parameters.
import type { PlanContext } from './context.ts';
import { chain, type Step, step } from './dag.ts';
import { healthUrl } from './hooks.ts';
import { memberPvcName, statefulSetName } from './names.ts';
import { CWT, ref, T } from './templates/catalog.ts';
import { templatePatch } from './templates/rolling-restart.ts';

const params = (values: Record<string, string | number>) => ({
  parameters: Object.entries(values).map(([name, value]) => ({ name, value: String(value) })),
});

export function applyStep(name: string, after: string[], manifest: unknown, successCondition = ''): Step {
  return step(name, after, {
    templateRef: ref(CWT.applyAndWait, T.applyAndWait.apply),
    arguments: params({ manifest: JSON.stringify(manifest), 'success-condition': successCondition }),
  });
}

export function patchStep(name: string, after: string[], patch: unknown, successCondition = ''): Step {
  return step(name, after, {
    templateRef: ref(CWT.applyAndWait, T.applyAndWait.patch),
    arguments: params({
      manifest: typeof patch === 'string' ? patch : JSON.stringify(patch),
      'success-condition': successCondition,
    }),
  });
}

export function deleteStep(
  name: string,
  after: string[],
  apiVersion: string,
  kind: string,
  objectName: string,
): Step {
  return step(name, after, {
    templateRef: ref(CWT.applyAndWait, T.applyAndWait.delete),
    arguments: params({ manifest: JSON.stringify({ apiVersion, kind, metadata: { name: objectName } }) }),
  });
}

export function scaleStep(ctx: PlanContext, name: string, after: string[], replicas: number): Step {
  return patchStep(name, after, {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: statefulSetName(ctx.name) },
    spec: { replicas },
  });
}

export function waitReadyStep(ctx: PlanContext, name: string, after: string[], replicas: number): Step {
  if (replicas === 0) {
    return step(name, after, {
      templateRef: ref(CWT.waitReady, T.waitReady.statefulSetEmpty),
      arguments: params({ statefulset: statefulSetName(ctx.name) }),
    });
  }
  return step(name, after, {
    templateRef: ref(CWT.waitReady, T.waitReady.statefulSetReady),
    arguments: params({ statefulset: statefulSetName(ctx.name), replicas }),
  });
}

export function pvcResizedStep(ctx: PlanContext, ordinal: number, after: string[], size: string): Step {
  return step(`wait-resized-${ordinal}`, after, {
    templateRef: ref(CWT.waitReady, T.waitReady.pvcResized),
    arguments: params({ pvc: memberPvcName(ctx.name, ordinal), size }),
  });
}

/**
 * A rolling change of the pod template. The StatefulSet uses OnDelete, so the patch restarts
 * nothing; then one member at a time, highest ordinal first, is deleted, recreated with the new
 * template, and must be ready and healthy before the next. A failure halts the rollout.
 */
export function rollingChange(
  ctx: PlanContext,
  after: string[],
  podTemplate: Record<string, unknown>,
  changeName = 'update-template',
): Step[] {
  const n = ctx.running;
  const sts = statefulSetName(ctx.name);
  const change = patchStep(changeName, after, templatePatch(sts, podTemplate));
  const rolls = Array.from({ length: n }, (_, i) => n - 1 - i).map((ordinal) =>
    step(`roll-${ordinal}`, [], {
      templateRef: ref(CWT.rollingRestart, T.rollingRestart.rollMember),
      arguments: params({
        statefulset: sts,
        replicas: n,
        ordinal,
        'health-url': healthUrl(ctx, ordinal),
      }),
    }),
  );
  return chain([change, ...rolls], after);
}
