// kubectl mw cancel <name>: asks the operator to stop the running operation by setting the
// annotation mwop.dev/cancel=true on the instance, or on a MiddlewareOperation named <name>.
import type { Command } from 'commander';
import { ANNOTATION_CANCEL } from '../../controllers/instance/names.ts';
import { isNotFound } from '../../kube/errors.ts';
import { cliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { objectName } from '../output.ts';
import { denied, getInstance, getOperation, instancePath, operationPath } from '../resources.ts';

const MERGE = 'application/merge-patch+json';
const FINISHED = ['Succeeded', 'Failed', 'Cancelled'];

export function register(program: Command): void {
  program
    .command('cancel <name>')
    .description("Cancel an instance's running operation, or a MiddlewareOperation by name")
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const ctx = cliContext(cmd);
      const patch = { metadata: { annotations: { [ANNOTATION_CANCEL]: 'true' } } };
      const op = await getOperation(ctx, name);
      if (op) {
        if (FINISHED.includes(op.status?.phase ?? '')) {
          throw new CliError(
            `operation ${name} already finished (${op.status?.phase})`,
            'there is nothing to cancel; start a new operation if needed',
          );
        }
        try {
          await ctx.rest.patch(operationPath(ctx.namespace, name), patch, MERGE, {
            query: { fieldManager: 'kubectl-mw' },
          });
        } catch (err) {
          throw denied(ctx, err, 'update', 'middlewareoperations', ctx.namespace);
        }
        ctx.out.write(`${objectName('MiddlewareOperation', name)} cancel requested\n`);
        return;
      }
      let instance: Awaited<ReturnType<typeof getInstance>>;
      try {
        instance = await getInstance(ctx, name);
      } catch (err) {
        if (err instanceof CliError) {
          throw new CliError(
            `no instance or operation named ${JSON.stringify(name)} in namespace ${ctx.namespace}`,
            `\`kubectl mw list -n ${ctx.namespace}\` lists the instances, \`kubectl get mwo -n ${ctx.namespace}\` the operations`,
          );
        }
        throw err;
      }
      const current = instance.status?.operations?.current;
      if (!current) {
        throw new CliError(
          `${name} has no operation running`,
          `there is nothing to cancel; \`kubectl mw describe ${name} -n ${ctx.namespace}\` shows its recent operations`,
        );
      }
      try {
        await ctx.rest.patch(instancePath(ctx.namespace, name), patch, MERGE, {
          query: { fieldManager: 'kubectl-mw' },
        });
      } catch (err) {
        if (isNotFound(err))
          throw new CliError(`${name} was deleted meanwhile`, `\`kubectl mw list -n ${ctx.namespace}\``);
        throw denied(ctx, err, 'update', 'middlewareinstances', ctx.namespace);
      }
      ctx.out.write(
        `${objectName('MiddlewareInstance', name)} cancel requested for ${current.type} ${current.name}\n` +
          `next: \`kubectl mw describe ${name} -n ${ctx.namespace}\` shows when it stops\n`,
      );
    });
}
