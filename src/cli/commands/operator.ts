// kubectl mw operator run [flags]: the operator in the foreground, for local use. Exactly
// `node dist/main.js [flags]`; kubectl mw's own --kubeconfig and --context are passed on.
import type { Command } from 'commander';
import { runOperatorProcess } from '../../operator/process.ts';

export function register(program: Command): void {
  const operator = program.command('operator').description('Run the mwop operator');
  operator
    .command('run')
    .description(
      'Run the operator in the foreground with the flags of the operator image (--namespaces, --leader-elect, --metrics-port, ...)',
    )
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .argument('[flags...]')
    .action(async (flags: string[], _opts: unknown, cmd: Command) => {
      const global = cmd.optsWithGlobals<{ kubeconfig?: string; context?: string }>();
      const inherited = [
        ...(global.kubeconfig ? ['--kubeconfig', global.kubeconfig] : []),
        ...(global.context ? ['--context', global.context] : []),
      ];
      process.exitCode = await runOperatorProcess([...inherited, ...flags], process.env);
    });
}
