import type { Command } from 'commander';
import { register as pluginConformance } from './plugin-conformance.ts';

// One line per subcommand module. Keep the list sorted.
const registrations: Array<(program: Command) => void> = [pluginConformance];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}
