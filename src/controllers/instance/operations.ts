// The orchestrated changes an instance can need, and which phase each one shows (FR-006).
import type { InstancePhase } from '../../api/index.ts';
import type { WorkflowOperation } from '../../workflows/operations.ts';

/** The changes the instance controller plans; the same shapes the workflow planners take. */
export type InstanceOperation =
  | Extract<
      WorkflowOperation,
      {
        kind:
          | 'Create'
          | 'ScaleOut'
          | 'ScaleIn'
          | 'VerticalScale'
          | 'VolumeExpand'
          | 'Upgrade'
          | 'VersionSwitch'
          | 'ConfigReload';
      }
    >
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

/** Upgrade and version switch restart the members on another version, which has its own config. */
export function changesVersion(kind: string | undefined): boolean {
  return kind === 'Upgrade' || kind === 'VersionSwitch';
}
