// Figures of an e2e-real run (durations, never asserted): one JSON line each, appended to
// MWOP_E2E_REAL_RESULTS (default test/bench/results/e2e-real.jsonl), with the machine's load.
import { appendFileSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../../../hack/dev/install.ts';

export const resultsFile = () =>
  process.env.MWOP_E2E_REAL_RESULTS ?? join(repoRoot, 'test/bench/results/e2e-real.jsonl');

export function recordFigure(what: string, figures: Record<string, number | string>): void {
  const f = resultsFile();
  mkdirSync(dirname(f), { recursive: true });
  const line = {
    time: new Date().toISOString(),
    what,
    ...figures,
    loadavg1: Number(loadavg()[0]!.toFixed(2)),
  };
  appendFileSync(f, `${JSON.stringify(line)}\n`);
}
