// mwop-restore-run: the restore tool in a pod of its own. It verifies the SHA-256 before it
// loads anything. Offline restores write into a stopped member's data volume; online restores
// load into a running server.
import type { ClusterWorkflowTemplate, Template } from '../argo-types.ts';
import { CWT, T } from './catalog.ts';
import { clusterTemplate } from './cluster-template.ts';
import { input, p } from './params.ts';
import {
  DB_PARAMETERS,
  dbEnv,
  RESOURCES_PATCH,
  RESULT_FILE,
  S3_PARAMETERS,
  s3Env,
  TOOL_PARAMETERS,
} from './tool-env.ts';

export const RESTORE_DATA_DIR = '/restore-target';

function restore(name: string, offline: boolean): Template {
  return {
    name,
    inputs: {
      parameters: [
        ...TOOL_PARAMETERS,
        ...(offline
          ? [p('pvc', 'Data PVC of the stopped member to restore into, for example data-cache-0.')]
          : DB_PARAMETERS),
        ...S3_PARAMETERS,
        p('type', 'Tool type, for example redis or mysql.'),
        p('metadata-key', 'Key of the backup metadata.json in the bucket.'),
      ],
    },
    outputs: { parameters: [{ name: 'result', valueFrom: { path: RESULT_FILE, default: '{}' } }] },
    activeDeadlineSeconds: input('timeout-seconds'),
    podSpecPatch: RESOURCES_PATCH,
    ...(offline ? { volumes: [{ name: 'target', persistentVolumeClaim: { claimName: input('pvc') } }] } : {}),
    container: {
      image: input('image'),
      command: ['/bin/sh', '-c', `exec ${input('command')} --result-file ${RESULT_FILE}`],
      env: [
        { name: 'MWOP_BACKUP_TYPE', value: input('type') },
        { name: 'MWOP_METADATA_KEY', value: input('metadata-key') },
        { name: 'MWOP_TIMEOUT_SECONDS', value: input('timeout-seconds') },
        ...(offline ? [{ name: 'MWOP_DATA_DIR', value: RESTORE_DATA_DIR }] : dbEnv()),
        ...s3Env(),
      ],
      ...(offline ? { volumeMounts: [{ name: 'target', mountPath: RESTORE_DATA_DIR }] } : {}),
    },
  };
}

export function restoreRunTemplates(): ClusterWorkflowTemplate {
  return clusterTemplate(
    CWT.restoreRun,
    'Verifies and restores one backup from S3: into a stopped member volume (restore-offline) or a running server (restore-online).',
    T.restoreRun.offline,
    [restore(T.restoreRun.offline, true), restore(T.restoreRun.online, false)],
  );
}
