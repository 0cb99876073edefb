// Entry point of the operator image: `node dist/main.js [flags]`.

import { parseOperatorConfig } from './operator/config.ts';
import { controllersFor } from './operator/controllers.ts';
import { runOperator } from './operator/run.ts';

const parsed = parseOperatorConfig(process.argv.slice(2), process.env);
if (!parsed.ok) {
  for (const p of parsed.problems) process.stderr.write(`${p.flag}: ${p.message} (got "${p.value}")\n`);
  process.exit(2);
}
const op = await runOperator(parsed.config, controllersFor);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void op.shutdown(signal));
}
process.exitCode = await op.done;
