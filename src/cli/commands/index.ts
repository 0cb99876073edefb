import type { Command } from 'commander';
import { register as backup } from './backup.ts';
import { register as cancel } from './cancel.ts';
import { register as complete } from './complete.ts';
import { register as completion } from './completion.ts';
import { register as connect } from './connect.ts';
import { register as create } from './create.ts';
import { register as describe } from './describe.ts';
import { register as list } from './list.ts';
import { register as operator } from './operator.ts';
import { register as pluginConformance } from './plugin-conformance.ts';
import { register as render } from './render.ts';
import { register as restart } from './restart.ts';
import { register as restore } from './restore.ts';
import { register as scale } from './scale.ts';
import { register as switchover } from './switchover.ts';
import { register as tenant } from './tenant.ts';
import { register as types } from './types.ts';
import { register as upgrade } from './upgrade.ts';

// One line per subcommand module. Keep the list sorted.
const registrations: Array<(program: Command) => void> = [
  backup,
  cancel,
  complete,
  completion,
  connect,
  create,
  describe,
  list,
  operator,
  pluginConformance,
  render,
  restart,
  restore,
  scale,
  switchover,
  tenant,
  types,
  upgrade,
];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}
