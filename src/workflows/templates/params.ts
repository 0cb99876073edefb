// Small builders for template parameters, shared by the ClusterWorkflowTemplates.
import type { Parameter } from '../argo-types.ts';

export const p = (name: string, description: string, dflt?: string): Parameter =>
  dflt === undefined ? { name, description } : { name, description, default: dflt };

export const input = (name: string): string => `{{inputs.parameters.${name}}}`;
