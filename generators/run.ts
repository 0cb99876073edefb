import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Generator } from './types.ts';

export interface Drift {
  file: string;
  problem: 'missing' | 'stale' | 'unexpected';
}

async function listFiles(dir: string, base = dir): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(full, base)));
    else if (e.name !== '.gitkeep') out.push(full.slice(base.length + 1));
  }
  return out;
}

/** Compares (check) or writes (write) every generator's output under root. */
export async function runGenerators(
  root: string,
  gens: Generator[],
  mode: 'check' | 'write',
): Promise<Drift[]> {
  const drift: Drift[] = [];
  for (const gen of gens) {
    const dir = join(root, gen.outputDir);
    const wanted = await gen.generate();
    const existing = new Set(await listFiles(dir));
    for (const [rel, content] of wanted) {
      const path = join(dir, rel);
      const current = existing.has(rel) ? await readFile(path, 'utf8') : undefined;
      existing.delete(rel);
      if (current === content) continue;
      drift.push({ file: join(gen.outputDir, rel), problem: current === undefined ? 'missing' : 'stale' });
      if (mode === 'write') {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, content);
      }
    }
    for (const rel of existing) {
      drift.push({ file: join(gen.outputDir, rel), problem: 'unexpected' });
      if (mode === 'write') await rm(join(dir, rel));
    }
  }
  return drift;
}
