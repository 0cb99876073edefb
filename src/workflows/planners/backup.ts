// Backup: the type's backup tool in its own pod, reading from a member that is not the primary
// when there is one (less load on the primary), streaming to S3. One step; never retried.
import type { PlanContext } from '../context.ts';
import { type Step, step } from '../dag.ts';
import { memberHost } from '../names.ts';
import type { OperationOf } from '../operations.ts';
import { CWT, ref, T } from '../templates/catalog.ts';
import { backupConfigOf, dbParameters, s3Parameters, toolParameters } from './tool-arguments.ts';

const asArguments = (values: Record<string, string>) => ({
  parameters: Object.entries(values).map(([name, value]) => ({ name, value })),
});

export function backupSource(ctx: PlanContext): number {
  const primary = ctx.observed.primaryOrdinal ?? 0;
  return ctx.running > 1 ? (primary === ctx.running - 1 ? 0 : ctx.running - 1) : primary;
}

export function backupRunStep(
  ctx: PlanContext,
  name: string,
  after: string[],
  backup: string,
  target: OperationOf<'Backup'> | OperationOf<'Restore'>,
): Step {
  const cfg = backupConfigOf(ctx, 'Backup');
  return step(name, after, {
    templateRef: ref(CWT.backupRun, T.backupRun.backup),
    arguments: asArguments({
      ...toolParameters(ctx, cfg, cfg.command),
      ...dbParameters(ctx, memberHost(ctx.name, ctx.namespace, backupSource(ctx))),
      ...s3Parameters(target),
      instance: ctx.name,
      backup,
      'plugin-version': ctx.plugin.version.pluginVersion,
      'middleware-version': ctx.plugin.middleware.version,
      'instance-spec': JSON.stringify(ctx.instance.spec),
    }),
  });
}

export function planBackup(ctx: PlanContext, op: OperationOf<'Backup'>): { steps: Step[]; deadline: number } {
  const cfg = backupConfigOf(ctx, 'Backup');
  return {
    steps: [backupRunStep(ctx, 'backup', [], op.backup, op)],
    deadline: (cfg.timeoutSeconds ?? 3600) + 600,
  };
}

export { asArguments };
