// Pure: what `kubectl mw restore` creates. Into a new instance: the source instance's spec when it
// still exists (else the type's defaults at the backup's versions) with spec.restoreFrom naming the
// backup. In place: a MiddlewareOperation of type Restore, which takes a safety backup first.
import {
  API_VERSION,
  type MiddlewareBackup,
  type MiddlewareInstance,
  type MiddlewareOperation,
  type MiddlewareType,
} from '../api/index.ts';
import { operationFor } from './change-plan.ts';
import { planCreate } from './create-plan.ts';
import { CliError } from './errors.ts';

export function checkRestorable(backup: MiddlewareBackup): void {
  const phase = backup.status?.phase ?? 'Pending';
  if (phase !== 'Succeeded') {
    throw new CliError(
      `backup ${backup.metadata.name} is ${phase}; only a Succeeded backup can be restored`,
      phase === 'Failed'
        ? `pick another backup: \`kubectl mw backup list --instance ${backup.spec.instanceRef.name}\``
        : `wait until it completes (\`kubectl mw backup list -n ${backup.metadata.namespace}\`)`,
    );
  }
}

export function planRestoreInto(
  backup: MiddlewareBackup,
  newName: string,
  source: MiddlewareInstance | undefined,
  type: MiddlewareType,
): MiddlewareInstance {
  checkRestorable(backup);
  const namespace = backup.metadata.namespace ?? '';
  const typeName = backup.status?.type ?? source?.spec.type ?? type.metadata.name ?? '';
  if (typeName !== type.metadata.name) {
    throw new CliError(
      `backup ${backup.metadata.name} holds a ${typeName} backup, not ${type.metadata.name}`,
      `restore it into a ${typeName} instance`,
    );
  }
  const pluginVersion = backup.status?.pluginVersion ?? source?.spec.pluginVersion;
  const middlewareVersion = backup.status?.middlewareVersion ?? source?.spec.middlewareVersion;
  let spec: MiddlewareInstance['spec'];
  if (source) {
    const { restoreFrom: _r, credentials: _c, ...rest } = source.spec;
    spec = { ...rest };
  } else {
    spec = planCreate(type, {
      name: newName,
      namespace,
      ...(pluginVersion ? { pluginVersion } : {}),
      ...(middlewareVersion ? { version: middlewareVersion } : {}),
    }).instance.spec;
  }
  return {
    apiVersion: API_VERSION,
    kind: 'MiddlewareInstance',
    metadata: { name: newName, namespace },
    spec: {
      ...spec,
      type: typeName,
      ...(pluginVersion ? { pluginVersion } : {}),
      ...(middlewareVersion ? { middlewareVersion } : {}),
      restoreFrom: { backup: backup.metadata.name ?? '' },
    },
  };
}

export function planRestoreInPlace(
  backup: MiddlewareBackup,
  target: MiddlewareInstance,
  skipSafetyBackup: boolean,
): MiddlewareOperation {
  checkRestorable(backup);
  const backupType = backup.status?.type;
  if (backupType && backupType !== target.spec.type) {
    throw new CliError(
      `backup ${backup.metadata.name} is a ${backupType} backup; instance ${target.metadata.name} is ${target.spec.type}`,
      `restore it into a new ${backupType} instance with --into <name>`,
    );
  }
  return operationFor(target, {
    type: 'Restore',
    restore: { backup: backup.metadata.name ?? '', ...(skipSafetyBackup ? { skipSafetyBackup: true } : {}) },
  });
}
