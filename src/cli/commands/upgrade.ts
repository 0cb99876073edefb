// kubectl mw upgrade <name> --plugin-version v2 [--version x]: edits the spec after checking the
// plugin's upgradeFrom graph; the operator runs the upgrade workflow (pre-check, roll, post-check).
import type { Command } from 'commander';
import { planUpgrade } from '../change-plan.ts';
import { cliContext } from '../context.ts';
import { objectName } from '../output.ts';
import { parseTimeout, waitForInstance } from '../progress.ts';
import { getInstance, getType } from '../resources.ts';
import { patchSpec } from './scale.ts';

export function register(program: Command): void {
  program
    .command('upgrade <name>')
    .description('Move an instance to another plugin version and/or middleware version')
    .option(
      '--plugin-version <version>',
      'target plugin version; it must list the current one in upgradeFrom',
    )
    .option(
      '--version <version>',
      'target middleware version (default: keep it if supported, else the default)',
    )
    .option('--wait', 'follow the upgrade workflow until it finishes')
    .option('--timeout <duration>', 'how long --wait waits', '30m')
    .action(
      async (
        name: string,
        opts: { pluginVersion?: string; version?: string; wait?: boolean; timeout: string },
        cmd: Command,
      ) => {
        const ctx = cliContext(cmd);
        const timeoutMs = parseTimeout(opts.timeout);
        const instance = await getInstance(ctx, name);
        const type = await getType(ctx, instance.spec.type);
        const target = planUpgrade(type, instance, {
          ...(opts.pluginVersion !== undefined ? { pluginVersion: opts.pluginVersion } : {}),
          ...(opts.version !== undefined ? { version: opts.version } : {}),
        });
        await patchSpec(ctx, instance, target as unknown as Record<string, unknown>);
        ctx.out.write(
          `${objectName('MiddlewareInstance', name)} upgrading (plugin ${instance.spec.pluginVersion} -> ${target.pluginVersion}, ${instance.spec.type} ${instance.spec.middlewareVersion ?? '<default>'} -> ${target.middlewareVersion})\n`,
        );
        if (opts.wait) await waitForInstance(ctx, name, { timeoutMs });
        else ctx.out.write(`next: \`kubectl mw describe ${name} -n ${ctx.namespace}\` follows the upgrade\n`);
      },
    );
}
