// mwop-backup-run: the backup tool in a pod of its own (never inside a member pod). It streams to
// S3 and prints a JSON result, kept as the output parameter `result`. A failed run is not retried.
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

export function backupRunTemplates(): ClusterWorkflowTemplate {
  const backup: Template = {
    name: T.backupRun.backup,
    inputs: {
      parameters: [
        ...TOOL_PARAMETERS,
        ...DB_PARAMETERS,
        ...S3_PARAMETERS,
        p('type', 'Tool type, for example redis or mysql.'),
        p('instance', 'MiddlewareInstance name.'),
        p('backup', 'MiddlewareBackup name.'),
        p('plugin-version', 'Plugin version of the instance.'),
        p('middleware-version', 'Middleware version of the instance.'),
        p('instance-spec', 'The instance spec as JSON, stored in the backup metadata.', '{}'),
      ],
    },
    outputs: { parameters: [{ name: 'result', valueFrom: { path: RESULT_FILE, default: '{}' } }] },
    activeDeadlineSeconds: input('timeout-seconds'),
    podSpecPatch: RESOURCES_PATCH,
    container: {
      image: input('image'),
      command: ['/bin/sh', '-c', `exec ${input('command')} --result-file ${RESULT_FILE}`],
      env: [
        { name: 'MWOP_BACKUP_TYPE', value: input('type') },
        { name: 'MWOP_NAMESPACE', value: '{{workflow.namespace}}' },
        { name: 'MWOP_INSTANCE', value: input('instance') },
        { name: 'MWOP_BACKUP', value: input('backup') },
        { name: 'MWOP_PLUGIN_VERSION', value: input('plugin-version') },
        { name: 'MWOP_MIDDLEWARE_VERSION', value: input('middleware-version') },
        { name: 'MWOP_INSTANCE_SPEC', value: input('instance-spec') },
        { name: 'MWOP_TIMEOUT_SECONDS', value: input('timeout-seconds') },
        ...dbEnv(),
        ...s3Env(),
      ],
    },
  };
  return clusterTemplate(
    CWT.backupRun,
    'Runs the backup tool of a MiddlewareType in its own pod and streams one backup to S3.',
    T.backupRun.backup,
    [backup],
  );
}
