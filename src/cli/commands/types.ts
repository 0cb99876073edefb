// kubectl mw types [-o yaml|json]: every MiddlewareType in the cluster with its plugin versions,
// what each upgrades from, and the middleware versions it runs (user story 2, scenario 3).
import type { Command } from 'commander';
import type { MiddlewareType } from '../../api/index.ts';
import { API_VERSION } from '../../api/index.ts';
import { resourcePath } from '../../kube/gvr.ts';
import { summarizeTypes, type TypeSummary } from '../../plugins/registry.ts';
import { cliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { formatTable } from '../output.ts';

export function typesTable(summaries: readonly TypeSummary[]): string {
  const rows: string[][] = [];
  for (const t of summaries) {
    for (const v of t.pluginVersions) {
      rows.push([
        t.name,
        v.pluginVersion + (v.deprecated ? ' (deprecated)' : ''),
        v.upgradeFrom.join(',') || '-',
        v.middlewareVersions.map((m) => (m === v.defaultMiddlewareVersion ? `${m}*` : m)).join(', '),
      ]);
    }
  }
  return formatTable(['type', 'plugin version', 'upgrades from', 'middleware versions (* default)'], rows);
}

export function register(program: Command): void {
  program
    .command('types')
    .description(
      'List the middleware types installed in the cluster, their plugin versions and middleware versions',
    )
    .option('-o, --output <format>', 'table (default), yaml or json')
    .action(async (opts: { output?: string }, cmd: Command) => {
      const format = opts.output ?? 'table';
      if (!['table', 'yaml', 'json'].includes(format))
        throw new CliError(
          `--output: got ${JSON.stringify(format)}; accepted: table, yaml, json`,
          undefined,
          2,
        );
      const ctx = cliContext(cmd);
      const list = await ctx.rest.get<{ items: MiddlewareType[] }>(
        resourcePath(API_VERSION, 'MiddlewareType'),
      );
      const summaries = summarizeTypes(list.items ?? []);
      if (format === 'json') ctx.out.write(`${JSON.stringify(summaries, null, 2)}\n`);
      else if (format === 'yaml')
        ctx.out.write((await import('yaml')).stringify(summaries, { lineWidth: 0 }));
      else if (summaries.length === 0)
        ctx.out.write(
          'No middleware types installed. Apply one, for example: kubectl apply -f deploy/plugins/redis.yaml\n',
        );
      else ctx.out.write(typesTable(summaries));
    });
}
