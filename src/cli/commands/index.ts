import type { Command } from 'commander';

// One line per subcommand module. Keep the list sorted.
const registrations: Array<(program: Command) => void> = [];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}
