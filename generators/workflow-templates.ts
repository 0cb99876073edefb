import { stringify } from 'yaml';
import { clusterWorkflowTemplates } from '../src/workflows/templates/index.ts';
import { GENERATED_HEADER, type Generator } from './types.ts';

/** One file per ClusterWorkflowTemplate: `kubectl apply -f workflow-templates/`. */
export const workflowTemplatesGenerator: Generator = {
  name: 'workflow-templates',
  outputDir: 'workflow-templates',
  generate() {
    const files = new Map<string, string>();
    for (const cwt of clusterWorkflowTemplates()) {
      files.set(
        `${cwt.metadata.name}.yaml`,
        GENERATED_HEADER + stringify(cwt, { lineWidth: 0, aliasDuplicateObjects: false }),
      );
    }
    return files;
  },
};
