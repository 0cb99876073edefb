// Pure: what a successfully finished operation has put in place.
import type { MiddlewareInstance, MiddlewareInstanceStatus } from '../../api/index.ts';
import type { InstanceOperation } from './operations.ts';

type Applied = NonNullable<MiddlewareInstanceStatus['applied']>;

export function appliedAfter(
  op: InstanceOperation,
  instance: MiddlewareInstance,
  before: Applied | undefined,
  desired: { middlewareVersion: string; configChecksum: string },
): Applied {
  const prev = before ?? {};
  switch (op.kind) {
    case 'Create':
      return {
        replicas: op.replicas,
        pluginVersion: instance.spec.pluginVersion,
        middlewareVersion: desired.middlewareVersion,
        ...(instance.spec.resources ? { resources: instance.spec.resources } : {}),
        storageSize: instance.spec.storage.size,
        configChecksum: desired.configChecksum,
      };
    case 'ScaleOut':
    case 'ScaleIn':
      return { ...prev, replicas: op.to };
    case 'VerticalScale':
      return { ...prev, resources: op.resources };
    case 'VolumeExpand':
      return { ...prev, storageSize: op.to };
    // The members restarted with the target version's config (the controller applied it first).
    case 'Upgrade':
      return {
        ...prev,
        pluginVersion: op.toPlugin,
        middlewareVersion: op.toVersion,
        ...(op.configChecksum ? { configChecksum: op.configChecksum } : {}),
      };
    case 'VersionSwitch':
      return {
        ...prev,
        middlewareVersion: op.to,
        ...(op.configChecksum ? { configChecksum: op.configChecksum } : {}),
      };
    case 'ConfigReload':
      return { ...prev, configChecksum: op.checksum };
    case 'Restore':
      return { ...prev, restoredFrom: op.source };
  }
}
