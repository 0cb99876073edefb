import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { crdGenerator } from '../../../generators/crds.ts';
import { runGenerators } from '../../../generators/run.ts';
import type { Generator } from '../../../generators/types.ts';

const fake: Generator = {
  name: 'fake',
  outputDir: 'out',
  generate: () =>
    new Map([
      ['a.yaml', 'a: 1\n'],
      ['sub/b.yaml', 'b: 2\n'],
    ]),
};

describe('runGenerators', () => {
  it('reports missing, stale and unexpected files in check mode and writes nothing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'gen-'));
    await mkdir(join(root, 'out'));
    writeFileSync(join(root, 'out/a.yaml'), 'a: 0\n');
    writeFileSync(join(root, 'out/old.yaml'), 'x\n');
    const drift = await runGenerators(root, [fake], 'check');
    expect(drift).toEqual([
      { file: 'out/a.yaml', problem: 'stale' },
      { file: 'out/sub/b.yaml', problem: 'missing' },
      { file: 'out/old.yaml', problem: 'unexpected' },
    ]);
    expect(readFileSync(join(root, 'out/a.yaml'), 'utf8')).toBe('a: 0\n');
  });

  it('write mode makes the directory exactly the generator output', async () => {
    const root = mkdtempSync(join(tmpdir(), 'gen-'));
    await runGenerators(root, [fake], 'write');
    expect(await runGenerators(root, [fake], 'check')).toEqual([]);
    expect(readFileSync(join(root, 'out/sub/b.yaml'), 'utf8')).toBe('b: 2\n');
  });
});

describe('generated CRDs', () => {
  const files = crdGenerator.generate() as Map<string, string>;
  const crds = [...files.values()].map((y) => parse(y) as Record<string, any>);

  it('one CRD per kind, each with the middleware category, a short name and printer columns', () => {
    expect(crds.map((c) => c.spec.names.kind).sort()).toEqual([
      'BackupStorage',
      'MiddlewareBackup',
      'MiddlewareInstance',
      'MiddlewareOperation',
      'MiddlewareType',
    ]);
    for (const crd of crds) {
      expect(crd.spec.names.categories).toContain('middleware');
      expect(crd.spec.names.shortNames.length).toBeGreaterThan(0);
      expect(crd.spec.versions[0].additionalPrinterColumns.length).toBeGreaterThan(2);
      expect(crd.spec.versions[0].subresources).toEqual({ status: {} });
    }
  });

  it('every schema node below spec carries a description for kubectl explain', () => {
    const missing: string[] = [];
    const walk = (node: Record<string, any>, path: string) => {
      if (!node.description) missing.push(path);
      for (const [k, v] of Object.entries(node.properties ?? {}))
        walk(v as Record<string, any>, `${path}.${k}`);
      if (node.items?.properties) walk(node.items, `${path}[]`);
    };
    for (const crd of crds)
      walk(crd.spec.versions[0].schema.openAPIV3Schema.properties.spec, crd.spec.names.kind);
    expect(missing).toEqual([]);
  });

  it('instance type is immutable and published MiddlewareType versions cannot change (CEL)', () => {
    const instance = crds.find((c) => c.spec.names.kind === 'MiddlewareInstance')!;
    const spec = instance.spec.versions[0].schema.openAPIV3Schema.properties.spec;
    expect(spec.required).toEqual(expect.arrayContaining(['type', 'pluginVersion', 'storage']));
    expect(spec.properties.type['x-kubernetes-validations'][0].rule).toBe('self == oldSelf');
    const type = crds.find((c) => c.spec.names.kind === 'MiddlewareType')!;
    const versions = type.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.versions;
    expect(versions['x-kubernetes-list-type']).toBe('map');
    expect(versions.items['x-kubernetes-validations'][0].rule).toBe('self == oldSelf');
  });
});
