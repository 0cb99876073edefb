import type { ClusterWorkflowTemplate } from '../argo-types.ts';
import { applyAndWaitTemplates } from './apply-and-wait.ts';
import { backupRunTemplates } from './backup-run.ts';
import { hookCallTemplates } from './hook-call.ts';
import { restoreRunTemplates } from './restore-run.ts';
import { retentionCleanupTemplates } from './retention-cleanup.ts';
import { rollingRestartTemplates } from './rolling-restart.ts';
import { waitReadyTemplates } from './wait-ready.ts';

export interface TemplateOptions {
  /** Image of the operator, for steps that run its CLI (retention cleanup). */
  operatorImage?: string;
}

/** Every ClusterWorkflowTemplate mwop's workflows reference, in a stable order. */
export function clusterWorkflowTemplates(opts: TemplateOptions = {}): ClusterWorkflowTemplate[] {
  return [
    hookCallTemplates(),
    waitReadyTemplates(),
    applyAndWaitTemplates(),
    rollingRestartTemplates(),
    backupRunTemplates(),
    restoreRunTemplates(),
    retentionCleanupTemplates(opts.operatorImage),
  ];
}
