// The operator as a process: parse flags and env, check the notifications file, run until SIGTERM
// or SIGINT, and resolve with the exit code. Shared by `node dist/main.js` and
// `kubectl mw operator run`.
import { loadNotificationsConfig } from '../notify/index.ts';
import { parseOperatorConfig } from './config.ts';
import { controllersFor } from './controllers.ts';
import { runOperator } from './run.ts';

export async function runOperatorProcess(
  argv: string[],
  env: Record<string, string | undefined>,
  stderr: { write(s: string): unknown } = process.stderr,
): Promise<number> {
  const parsed = parseOperatorConfig(argv, env);
  if (!parsed.ok) {
    for (const p of parsed.problems) stderr.write(`${p.flag}: ${p.message} (got "${p.value}")\n`);
    return 2;
  }
  const { config } = parsed;
  // Checked here, not when leadership comes: a replica with a broken file must fail at start.
  if (config.notificationsConfig) {
    try {
      await loadNotificationsConfig(config.notificationsConfig, {
        defaultSecretNamespace: config.leaseNamespace,
      });
    } catch (err) {
      stderr.write(`--notifications-config: ${(err as Error).message}\n`);
      return 2;
    }
  }
  const op = await runOperator(config, controllersFor);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void op.shutdown(signal));
  }
  return op.done;
}
