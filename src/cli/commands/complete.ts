// kubectl mw __complete <words...>: cobra's completion protocol, so `kubectl mw <TAB>` completes
// through bin/kubectl_complete-mw (kubectl 1.26+ runs kubectl_complete-<plugin> for plugins).
// Live names (instances, types, backups, namespaces) are listed with the user's own access.
import type { Command } from 'commander';
import { type CompletionRequest, completionRequest } from '../completion.ts';
import { cliContext } from '../context.ts';
import { backupPath, instancePath, listAll, typePath } from '../resources.ts';
import { completionNodes } from './completion.ts';

/** ShellCompDirectiveNoFileComp: do not fall back to file names. */
const NO_FILE_COMP = 4;

export function register(program: Command): void {
  program
    .command('__complete', { hidden: true })
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .action(async (_opts: unknown, cmd: Command) => {
      const argv = process.argv;
      const words = argv.slice(argv.indexOf('__complete') + 1);
      const req = completionRequest(completionNodes(program), words.length > 0 ? words : ['']);
      const cur = words[words.length - 1] ?? '';
      const names = (await liveNames(cmd, req).catch(() => [])).filter((n) => n.startsWith(cur));
      process.stdout.write(
        `${[...req.candidates, ...names].map((c) => `${c}\n`).join('')}:${NO_FILE_COMP}\n`,
      );
    });
}

async function liveNames(cmd: Command, req: CompletionRequest): Promise<string[]> {
  if (!['instance', 'type', 'backup', 'namespace', 'context'].includes(req.offer)) return [];
  const ctx = cliContext(cmd);
  const ns = req.namespace ?? ctx.namespace;
  const names = async (path: string) =>
    (await listAll<{ metadata: { name?: string } }>(ctx.rest, path)).map((o) => o.metadata.name ?? '').sort();
  switch (req.offer) {
    case 'instance':
      return names(instancePath(ns));
    case 'backup':
      return names(backupPath(ns));
    case 'type':
      return names(typePath());
    case 'namespace':
      return names('/api/v1/namespaces');
    default:
      return [];
  }
}
