// The orchestrated changes an instance can need, and which phase each one shows (FR-006).
import type { InstancePhase, ResourceRequirements } from '../../api/index.ts';

export type InstanceOperation =
  | { kind: 'Create'; replicas: number }
  | { kind: 'ScaleOut'; from: number; to: number }
  | { kind: 'ScaleIn'; from: number; to: number }
  | { kind: 'VerticalScale'; resources: ResourceRequirements }
  | { kind: 'VolumeExpand'; from: string; to: string }
  | { kind: 'Upgrade'; fromPlugin: string; toPlugin: string; fromVersion: string; toVersion: string }
  | { kind: 'VersionSwitch'; from: string; to: string }
  | { kind: 'ConfigReload'; checksum: string }
  /** Loads the backup named by spec.restoreFrom into a freshly created instance (FR-012). */
  | { kind: 'Restore'; source: string };

export type OperationKind = InstanceOperation['kind'];

export const PHASE_OF_OPERATION: Record<
  OperationKind | 'Backup' | 'Restore' | 'Restart' | 'Switchover',
  InstancePhase
> = {
  Create: 'Initializing',
  ScaleOut: 'Scaling',
  ScaleIn: 'Scaling',
  VerticalScale: 'Scaling',
  VolumeExpand: 'Scaling',
  Upgrade: 'Upgrading',
  VersionSwitch: 'Upgrading',
  ConfigReload: 'Maintenance',
  Backup: 'BackingUp',
  Restore: 'Restoring',
  Restart: 'Maintenance',
  Switchover: 'Maintenance',
};

/** kebab-case name used in workflow names and the mwop.dev/operation label. */
export function operationSlug(kind: string): string {
  return kind.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}
