// kubectl mw restore <backup> --into <new-name> | --in-place
import type { Command } from 'commander';
import type { MiddlewareInstance } from '../../api/index.ts';
import { isConflict, isNotFound } from '../../kube/errors.ts';
import { cliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { objectName } from '../output.ts';
import { denied, getBackup, getInstance, getType, instancePath } from '../resources.ts';
import { planRestoreInPlace, planRestoreInto } from '../restore-plan.ts';
import { createOperation } from './restart.ts';

export function register(program: Command): void {
  program
    .command('restore <backup>')
    .description('Restore a backup into a new instance (--into) or over its own instance (--in-place)')
    .option('--into <name>', 'create a new instance with this name from the backup')
    .option('--in-place', 'restore over the instance the backup came from (a safety backup is taken first)')
    .option('--skip-safety-backup', 'with --in-place: do not take the safety backup')
    .action(
      async (
        backupName: string,
        opts: { into?: string; inPlace?: boolean; skipSafetyBackup?: boolean },
        cmd: Command,
      ) => {
        if (Boolean(opts.into) === Boolean(opts.inPlace)) {
          throw new CliError(
            opts.into
              ? '--into and --in-place exclude each other'
              : 'restore needs --into <new-name> or --in-place',
            `\`kubectl mw restore ${backupName} --into ${backupName.replace(/-\d+$/, '')}-restored\` creates a new instance; --in-place overwrites the original`,
          );
        }
        const ctx = cliContext(cmd);
        const backup = await getBackup(ctx, backupName);
        const sourceName = backup.spec.instanceRef.name;
        if (opts.inPlace) {
          const target = await getInstance(ctx, sourceName).catch((err) => {
            if (err instanceof CliError) {
              throw new CliError(
                `instance ${sourceName}, which backup ${backupName} came from, no longer exists in namespace ${ctx.namespace}`,
                `restore into a new instance instead: \`kubectl mw restore ${backupName} --into ${sourceName}\``,
              );
            }
            throw err;
          });
          const op = await createOperation(
            ctx,
            planRestoreInPlace(backup, target, Boolean(opts.skipSafetyBackup)),
          );
          ctx.out.write(
            `${objectName('MiddlewareOperation', op.metadata.name ?? '')} created (Restore of ${sourceName} from ${backupName})\n`,
          );
          ctx.out.write(
            `next: \`kubectl mw describe ${sourceName} -n ${ctx.namespace}\` follows it; the phase is Restoring until it ends\n`,
          );
          return;
        }
        const newName = opts.into as string;
        let source: MiddlewareInstance | undefined;
        try {
          source = await ctx.rest.get<MiddlewareInstance>(instancePath(ctx.namespace, sourceName));
        } catch (err) {
          if (!isNotFound(err)) throw denied(ctx, err, 'get', 'middlewareinstances', ctx.namespace);
        }
        const typeName = backup.status?.type ?? source?.spec.type;
        if (!typeName) {
          throw new CliError(
            `backup ${backupName} does not record its type and its instance ${sourceName} is gone`,
            'restore from S3 directly: `kubectl mw backup sync --storage <name>` rebuilds the backup with its metadata',
          );
        }
        const instance = planRestoreInto(backup, newName, source, await getType(ctx, typeName));
        try {
          await ctx.rest.post(instancePath(ctx.namespace), instance, {
            query: { fieldManager: 'kubectl-mw' },
          });
        } catch (err) {
          if (isConflict(err)) {
            throw new CliError(
              `instance ${newName} already exists in namespace ${ctx.namespace}`,
              `pick another --into name, or use --in-place to overwrite ${sourceName}`,
            );
          }
          throw denied(ctx, err, 'create', 'middlewareinstances', ctx.namespace);
        }
        ctx.out.write(`${objectName('MiddlewareInstance', newName)} created from backup ${backupName}\n`);
        ctx.out.write(`next: \`kubectl mw describe ${newName} -n ${ctx.namespace}\` follows the restore\n`);
      },
    );
}
