// kubectl mw plugin conformance --url http://host:8080 --type redis
// Exercises every hook a type declares against a running hook agent and prints a pass/fail table.
// Plugin authors run it before they publish a plugin version. Exit code 1 when a check fails.
import { readFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { formatResults, runConformance, summarize } from '../../agent/conformance/runner.ts';
import { declaredHooks } from '../../agent/conformance/type-file.ts';
import { DEFAULT_HOOKS_BY_TYPE, HOOKS, type HookName, type MemberRef } from '../../agent/contract.ts';

const HOOK_LIST = Object.keys(HOOKS) as HookName[];

export function parseHookList(value: string): HookName[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!HOOK_LIST.includes(n as HookName)) {
      throw new InvalidArgumentError(
        `hook ${JSON.stringify(n)} is not in the contract; accepted: ${HOOK_LIST.join(', ')}`,
      );
    }
  }
  return names as HookName[];
}

export function parseMember(value: string): MemberRef {
  const m = /^(.+):(\d{1,5})$/.exec(value);
  const port = Number(m?.[2]);
  if (!m || port < 1 || port > 65535)
    throw new InvalidArgumentError(`got ${JSON.stringify(value)}, want host:port`);
  return { host: m[1]!, port };
}

function parseUrl(value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    return value;
  } catch {
    throw new InvalidArgumentError(
      `got ${JSON.stringify(value)}, want an http:// URL such as http://10.0.0.7:8080`,
    );
  }
}

interface Options {
  url: string;
  type: string;
  hooks?: HookName[];
  typeFile?: string;
  pluginVersion?: string;
  member?: MemberRef;
  output: 'table' | 'json';
}

export function register(program: Command): void {
  // Other modules may add their own `plugin ...` subcommands: share the group.
  const plugin =
    program.commands.find((c) => c.name() === 'plugin') ??
    program.command('plugin').description('Work with middleware plugins (MiddlewareTypes)');
  plugin
    .command('conformance')
    .description('Check a running hook agent against the hook contract (docs/hook-api.yaml)')
    .requiredOption('--url <url>', 'base URL of the agent, e.g. http://10.0.0.7:8080', parseUrl)
    .requiredOption('--type <type>', 'middleware type the agent serves, e.g. redis')
    .option('--hooks <list>', `comma-separated hooks to check (${HOOK_LIST.join(', ')})`, parseHookList)
    .option(
      '--type-file <path>',
      'MiddlewareType manifest whose lifecycleHooks declare the hooks, paths and timeouts',
    )
    .option('--plugin-version <v>', 'plugin version in --type-file (default: the last one)')
    .option(
      '--member <host:port>',
      "this member's middleware address, as the other members reach it",
      parseMember,
    )
    .option(
      '--output <format>',
      'table or json',
      (v) => {
        if (v !== 'table' && v !== 'json')
          throw new InvalidArgumentError(`got ${JSON.stringify(v)}, want table or json`);
        return v;
      },
      'table',
    )
    .action(async (opts: Options) => {
      let hooks = opts.hooks;
      let overrides = {};
      let source = '--hooks';
      if (!hooks && opts.typeFile) {
        const declared = declaredHooks(
          await readFile(opts.typeFile, 'utf8'),
          opts.typeFile,
          opts.pluginVersion,
        );
        hooks = declared.hooks;
        overrides = declared.overrides;
        source = `${opts.typeFile} (plugin version ${declared.pluginVersion})`;
      }
      if (!hooks) {
        const defaults = DEFAULT_HOOKS_BY_TYPE[opts.type];
        if (!defaults) {
          throw new InvalidArgumentError(
            `--type ${JSON.stringify(opts.type)} has no default hook list; pass --hooks or --type-file (defaults exist for ${Object.keys(DEFAULT_HOOKS_BY_TYPE).join(', ')})`,
          );
        }
        hooks = [...defaults];
        source = `the contract's defaults for ${opts.type}`;
      }
      const results = await runConformance({
        url: opts.url,
        type: opts.type,
        hooks,
        overrides,
        ...(opts.member ? { member: opts.member } : {}),
      });
      if (opts.output === 'json') {
        process.stdout.write(
          `${JSON.stringify({ url: opts.url, type: opts.type, hooks, results, summary: summarize(results) }, null, 2)}\n`,
        );
      } else {
        process.stdout.write(
          `conformance of ${opts.url} (type ${opts.type}; hooks from ${source})\n\n${formatResults(results)}\n`,
        );
      }
      if (summarize(results).fail > 0) process.exitCode = 1;
    });
}
