// kubectl mw list [-A] [-o yaml|json|wide|name]
import type { Command } from 'commander';
import type { MiddlewareInstance } from '../../api/index.ts';
import { listInAllNamespaces } from '../all-namespaces.ts';
import { cliContext } from '../context.ts';
import { formatObjects, objectName, parseOutputFormat } from '../output.ts';
import { denied, instancePath, listAll } from '../resources.ts';
import { instanceTable } from '../views.ts';

export function register(program: Command): void {
  program
    .command('list')
    .alias('ls')
    .description('List middleware instances: type, version, phase, replicas, current operation and age')
    .option('-A, --all-namespaces', 'every namespace you may list instances in')
    .option('-o, --output <format>', 'yaml, json, wide or name')
    .option('-l, --selector <labels>', 'only instances with these labels, e.g. team=payments')
    .action(async (opts: { allNamespaces?: boolean; output?: string; selector?: string }, cmd: Command) => {
      const format = parseOutputFormat(opts.output);
      const ctx = cliContext(cmd);
      const query: Record<string, string> = opts.selector ? { labelSelector: opts.selector } : {};
      let items: MiddlewareInstance[];
      if (opts.allNamespaces) {
        const res = await listInAllNamespaces<MiddlewareInstance>(
          ctx,
          'middlewareinstances',
          instancePath(),
          (ns) => instancePath(ns),
          ctx.kubeconfigNamespaces,
        );
        items = res.items;
        if (res.note) ctx.err.write(`note: ${res.note}\n`);
      } else {
        try {
          items = await listAll<MiddlewareInstance>(ctx.rest, instancePath(ctx.namespace), query);
        } catch (err) {
          throw denied(ctx, err, 'list', 'middlewareinstances', ctx.namespace);
        }
      }
      if (opts.selector && opts.allNamespaces)
        items = items.filter((i) => matchesSelector(i, opts.selector ?? ''));
      if (format === 'yaml' || format === 'json') {
        ctx.out.write(formatObjects(items, format, false));
        return;
      }
      if (format === 'name') {
        for (const i of items) ctx.out.write(`${objectName('MiddlewareInstance', i.metadata.name ?? '')}\n`);
        return;
      }
      if (items.length === 0) {
        ctx.err.write(
          opts.allNamespaces
            ? 'No middleware instances found in the namespaces you may list.\n'
            : `No middleware instances found in ${ctx.namespace} namespace.\n`,
        );
        ctx.err.write(
          '  next: create one with `kubectl mw create <type> <name>`; `kubectl mw types` lists the types\n',
        );
        return;
      }
      ctx.out.write(
        instanceTable(items, {
          allNamespaces: Boolean(opts.allNamespaces),
          wide: format === 'wide',
          now: new Date(),
        }),
      );
    });
}

/** Equality selectors only (a=b,c!=d), for the per-namespace fallback of -A. */
function matchesSelector(i: MiddlewareInstance, selector: string): boolean {
  const labels = i.metadata.labels ?? {};
  return selector.split(',').every((term) => {
    const ne = term.split('!=');
    if (ne.length === 2) return labels[ne[0]?.trim() ?? ''] !== ne[1]?.trim();
    const [k, v] = term.split(/==?/);
    return v === undefined ? (k ?? '') in labels : labels[k?.trim() ?? ''] === v.trim();
  });
}
