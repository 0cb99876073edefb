import { stringify } from 'yaml';
import { ALL_KINDS, GROUP, toCrd } from '../src/api/index.ts';
import { GENERATED_HEADER, type Generator } from './types.ts';

export const crdGenerator: Generator = {
  name: 'crds',
  outputDir: 'crds',
  generate() {
    const files = new Map<string, string>();
    for (const def of ALL_KINDS) {
      files.set(`${GROUP}_${def.plural}.yaml`, GENERATED_HEADER + stringify(toCrd(def), { lineWidth: 0 }));
    }
    return files;
  },
};
