// The agent image installs its runtime dependencies from deploy/images/agent/package.json: they
// must be the versions the tests ran with (the root package.json and lock file).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (p: string) => JSON.parse(readFileSync(new URL(`../../../${p}`, import.meta.url), 'utf8'));

describe('deploy/images/agent', () => {
  const root = read('package.json');
  const rootLock = read('package-lock.json');
  const image = read('deploy/images/agent/package.json');
  const imageLock = read('deploy/images/agent/package-lock.json');

  it('asks for the same ranges as the root package.json', () => {
    for (const [name, range] of Object.entries(image.dependencies)) {
      expect(root.dependencies[name], `${name} in the root package.json`).toBe(range);
    }
  });

  it('locks the same versions as the root lock file', () => {
    for (const name of Object.keys(image.dependencies)) {
      expect(imageLock.packages[`node_modules/${name}`]?.version, name).toBe(
        rootLock.packages[`node_modules/${name}`]?.version,
      );
    }
  });

  it('runs ESM', () => {
    expect(image.type).toBe('module');
  });
});
