// Create: apply the workload -> wait until every member is ready -> /init on each member in
// order (member 0 first, it becomes the primary) -> publish the connection info.
import type { PlanContext } from '../context.ts';
import { chain, type Step } from '../dag.ts';
import { hookStep, memberRef } from '../hooks.ts';
import { credentialsSecretName } from '../names.ts';
import type { OperationOf } from '../operations.ts';
import { applyStep, scaleStep, waitReadyStep } from '../steps.ts';

export function connectionConfigMap(ctx: PlanContext) {
  const port = ctx.plugin.version.workload.ports[0]?.port ?? 0;
  const host = `${ctx.name}.${ctx.namespace}.svc`;
  const scheme = ctx.plugin.version.connection?.scheme;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${ctx.name}-connection`, labels: { 'mwop.dev/instance': ctx.name } },
    data: {
      host,
      port: String(port),
      secretName: credentialsSecretName(ctx.name, ctx.instance.spec.credentials?.existingSecret),
      ...(scheme ? { uri: `${scheme}://${host}:${port}` } : {}),
    },
  };
}

export function planCreate(ctx: PlanContext, op: OperationOf<'Create'>): { steps: Step[]; deadline: number } {
  const n = op.replicas;
  const workload = ctx.observed.workload;
  const apply = workload
    ? applyStep('apply-workload', [], { ...workload, spec: { ...(workload.spec as object), replicas: n } })
    : scaleStep(ctx, 'apply-workload', [], n);
  const primary = memberRef(ctx, 0);
  const inits = Array.from({ length: n }, (_, ordinal) => hookStep(ctx, 'init', ordinal, [], { primary }));
  const steps = chain([
    apply,
    waitReadyStep(ctx, 'wait-ready', [], n),
    ...inits,
    applyStep('publish-connection', [], connectionConfigMap(ctx)),
  ]);
  return { steps, deadline: 1800 + 120 * n };
}
