import { crdGenerator } from './crds.ts';
import { deployGenerator } from './deploy.ts';
import { pluginsGenerator } from './plugins.ts';
import type { Generator } from './types.ts';
import { workflowTemplatesGenerator } from './workflow-templates.ts';

// One entry per generated directory.
export const generators: Generator[] = [
  crdGenerator,
  workflowTemplatesGenerator,
  deployGenerator,
  pluginsGenerator,
];
