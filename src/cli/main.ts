#!/usr/bin/env node
// kubectl-mw: the kubectl plugin for mwop. Each subcommand lives in src/cli/commands/<name>.ts
// and exports `register(program)`; this file only wires them together.
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.ts';
import { formatError } from './errors.ts';

export function buildProgram(): Command {
  const program = new Command('kubectl-mw')
    .description('Self-service middleware on Kubernetes (mwop)')
    .option('-n, --namespace <ns>', 'namespace of the object')
    .option('--context <name>', 'kubeconfig context to use')
    .option('--kubeconfig <path>', 'path to the kubeconfig file')
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    // Commander has already printed its own usage errors (and help, with exit code 0).
    if (err instanceof CommanderError) return err.exitCode;
    process.stderr.write(formatError(err));
    return (err as { exitCode?: number }).exitCode ?? 1;
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv);
}
