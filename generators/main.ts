// `node generators/main.ts` writes crds/, workflow-templates/ and deploy/ from src/.
// `--check` writes nothing and fails when any generated file is stale (make verify).
import { fileURLToPath } from 'node:url';
import { generators } from './registry.ts';
import { runGenerators } from './run.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const check = process.argv.includes('--check');
const drift = await runGenerators(root, generators, check ? 'check' : 'write');

if (check && drift.length > 0) {
  process.stderr.write('generated files are stale; run `make generate` and commit the result:\n');
  for (const d of drift) process.stderr.write(`  ${d.problem.padEnd(10)} ${d.file}\n`);
  process.exit(1);
}
process.stdout.write(
  check ? 'generated files are up to date\n' : `${drift.length} generated file(s) written or removed\n`,
);
