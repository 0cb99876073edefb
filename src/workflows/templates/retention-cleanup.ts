// mwop-retention-cleanup: applies an instance's retention policy with the operator image. It
// deletes the S3 objects and the MiddlewareBackup CRs of the victims; the newest successful backup
// is never a victim (src/backup/retention.ts). It runs as the namespace's workflow ServiceAccount,
// which may only list and delete MiddlewareBackups there: the storage's endpoint and bucket come as
// parameters and its keys as env from the Secret the operator copied into the namespace, so the
// step reads neither the cluster-scoped BackupStorage nor a Secret in another namespace.
import type { ClusterWorkflowTemplate, Template } from '../argo-types.ts';
import { CWT, T } from './catalog.ts';
import { clusterTemplate } from './cluster-template.ts';
import { input, p } from './params.ts';
import { S3_PARAMETERS, s3Env } from './tool-env.ts';

export const DEFAULT_OPERATOR_IMAGE = 'ghcr.io/mwop/operator:0.1.0';

export function retentionCleanupTemplates(operatorImage = DEFAULT_OPERATOR_IMAGE): ClusterWorkflowTemplate {
  const cleanup: Template = {
    name: T.retentionCleanup.cleanup,
    inputs: {
      parameters: [
        p('operator-image', 'Image of the mwop operator (it carries kubectl-mw).', operatorImage),
        p('instance', 'MiddlewareInstance whose backups are pruned.'),
        p('max-count', 'Keep at most this many successful backups; empty: no count limit.', ''),
        p('max-age', 'Delete backups older than this (for example 720h); empty: no age limit.', ''),
        p('dry-run', 'true: only list what would be deleted.', 'false'),
        p(
          'storage',
          "BackupStorage this step deletes objects from; victims stored elsewhere are left to that storage's step.",
        ),
        ...S3_PARAMETERS,
      ],
    },
    activeDeadlineSeconds: 900,
    container: {
      image: input('operator-image'),
      command: ['kubectl-mw'],
      args: [
        'backup',
        'prune',
        '--namespace',
        '{{workflow.namespace}}',
        '--instance',
        input('instance'),
        `--max-count=${input('max-count')}`,
        `--max-age=${input('max-age')}`,
        `--dry-run=${input('dry-run')}`,
        '--storage',
        input('storage'),
      ],
      env: s3Env(),
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    },
  };
  return clusterTemplate(
    CWT.retentionCleanup,
    "Deletes the backups an instance's retention policy no longer keeps (S3 objects and CRs), never the newest successful one.",
    T.retentionCleanup.cleanup,
    [cleanup],
  );
}
