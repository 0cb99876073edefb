// Restore in place: an optional safety backup first, then either
//  - offline (the tool writes a data directory, e.g. a Redis RDB): stop every member, restore into
//    member 0's volume, start again, /init each member so replicas resync from member 0; or
//  - online (the tool loads into a running server, e.g. a MySQL dump): restore into the primary.
// The tool verifies the SHA-256 before it loads anything, so a mismatch leaves the data untouched.
import type { PlanContext } from '../context.ts';
import { chain, type Step, step } from '../dag.ts';
import { hookStep, memberRef } from '../hooks.ts';
import { memberHost, memberPvcName } from '../names.ts';
import type { OperationOf } from '../operations.ts';
import { scaleStep, waitReadyStep } from '../steps.ts';
import { CWT, ref, T } from '../templates/catalog.ts';
import { asArguments, backupRunStep } from './backup.ts';
import { backupConfigOf, dbParameters, s3Parameters, toolParameters, toolType } from './tool-arguments.ts';

/** Tools that write a data directory of a stopped server (docs/backup.md: Redis loads data only at start-up). */
export const OFFLINE_TOOL_TYPES = ['redis'];

/** Offline when the restore command writes a data directory (it takes --data-dir) or the tool is known to. */
export function restoreMode(argv: readonly string[], tool: string): 'offline' | 'online' {
  if (argv.some((a) => a === '--data-dir' || a.startsWith('--data-dir='))) return 'offline';
  return OFFLINE_TOOL_TYPES.includes(tool) ? 'offline' : 'online';
}

export function planRestore(
  ctx: PlanContext,
  op: OperationOf<'Restore'>,
): { steps: Step[]; deadline: number } {
  const cfg = backupConfigOf(ctx, 'Restore');
  const argv = cfg.restoreCommand ?? [];
  if (argv.length === 0) {
    throw new Error(
      `spec.type: Restore needs backupConfig.restoreCommand in ${ctx.plugin.typeName} ${ctx.plugin.version.pluginVersion}; it has none`,
    );
  }
  const mode = restoreMode(argv, toolType(ctx, argv));
  const common = { ...toolParameters(ctx, cfg, argv), ...s3Parameters(op), 'metadata-key': op.metadataKey };
  const safety = op.safetyBackup ? [backupRunStep(ctx, 'safety-backup', [], op.safetyBackup, op)] : [];
  const n = ctx.running;
  let steps: Step[];
  if (mode === 'offline') {
    const primary = memberRef(ctx, 0);
    steps = chain([
      ...safety,
      scaleStep(ctx, 'stop-members', [], 0),
      waitReadyStep(ctx, 'wait-stopped', [], 0),
      step('restore', [], {
        templateRef: ref(CWT.restoreRun, T.restoreRun.offline),
        arguments: asArguments({ ...common, pvc: memberPvcName(ctx.name, 0) }),
      }),
      scaleStep(ctx, 'start-members', [], n),
      waitReadyStep(ctx, 'wait-ready', [], n),
      ...Array.from({ length: n }, (_, ordinal) => hookStep(ctx, 'init', ordinal, [], { primary })),
    ]);
  } else {
    const primary = ctx.observed.primaryOrdinal ?? 0;
    steps = chain([
      ...safety,
      step('restore', [], {
        templateRef: ref(CWT.restoreRun, T.restoreRun.online),
        arguments: asArguments({
          ...common,
          ...dbParameters(ctx, memberHost(ctx.name, ctx.namespace, primary)),
        }),
      }),
      waitReadyStep(ctx, 'wait-ready', [], n),
    ]);
  }
  const runs = (op.safetyBackup ? 2 : 1) * (cfg.timeoutSeconds ?? 3600);
  return { steps, deadline: runs + 1800 };
}
