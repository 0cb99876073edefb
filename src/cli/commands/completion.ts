// kubectl mw completion bash|zsh: prints the completion script for the current command tree.
import type { Command } from 'commander';
import { argKind, bashCompletion, type CompletionNode, zshCompletion } from '../completion.ts';
import { CliError } from '../errors.ts';

export function completionNodes(root: Command): CompletionNode[] {
  const out: CompletionNode[] = [];
  const walk = (cmd: Command, path: string) => {
    const visible = cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
    out.push({
      path,
      description: cmd.description(),
      subcommands: visible.map((c) => ({ name: c.name(), description: c.description() })),
      flags: cmd.options.flatMap((o) =>
        [o.short, o.long]
          .filter((f): f is string => Boolean(f))
          .map((flag) => ({ flag, description: o.description, takesValue: o.required || o.optional })),
      ),
      args: cmd.registeredArguments.map((a) => argKind(a.name())),
    });
    for (const c of visible) walk(c, path ? `${path} ${c.name()}` : c.name());
  };
  walk(root, '');
  return out;
}

export function register(program: Command): void {
  program
    .command('completion <shell>')
    .description('Print the shell completion script: bash or zsh')
    .addHelpText(
      'after',
      '\nbash:  source <(kubectl-mw completion bash)   (add it to ~/.bashrc)\nzsh:   source <(kubectl-mw completion zsh)    (add it to ~/.zshrc)',
    )
    .action((shell: string) => {
      const nodes = completionNodes(program);
      if (shell === 'bash') process.stdout.write(bashCompletion(nodes));
      else if (shell === 'zsh') process.stdout.write(zshCompletion(nodes));
      else throw new CliError(`unknown shell ${JSON.stringify(shell)}`, 'use one of: bash, zsh');
    });
}
