// Names of the reusable ClusterWorkflowTemplates and of the templates inside them. Planners refer
// to templates only through these constants, and the unit tests check that every reference
// resolves to a template the generator writes.
import type { TemplateRef } from '../argo-types.ts';

export const CWT = {
  hookCall: 'mwop-hook-call',
  waitReady: 'mwop-wait-ready',
  applyAndWait: 'mwop-apply-and-wait',
  rollingRestart: 'mwop-rolling-restart-with-health-gate',
  backupRun: 'mwop-backup-run',
  restoreRun: 'mwop-restore-run',
  retentionCleanup: 'mwop-retention-cleanup',
} as const;
export type CwtName = (typeof CWT)[keyof typeof CWT];

/**
 * An HTTP template's timeoutSeconds is an integer in Argo's schema, so it cannot be a parameter.
 * hook-call therefore has one template per deadline class; a hook uses the smallest class that is
 * at least its declared timeout, and sends its exact timeout in X-Mwop-Timeout-Seconds so the
 * agent answers 504 on time (the class only bounds a connection that hangs).
 */
export const HOOK_TIMEOUT_CLASSES = [5, 10, 30, 60, 120, 300, 600, 1800, 3600] as const;

export function hookTimeoutClass(timeoutSeconds: number): number {
  const cls = HOOK_TIMEOUT_CLASSES.find((c) => c >= timeoutSeconds);
  if (cls === undefined) {
    throw new RangeError(
      `lifecycleHooks.<hook>.timeoutSeconds: ${timeoutSeconds} is above the largest hook deadline; accepted: 1 to ${HOOK_TIMEOUT_CLASSES.at(-1)}`,
    );
  }
  return cls;
}

export const hookCallTemplate = (cls: number): string => `call-within-${cls}s`;

export const T = {
  hookCall: { healthGate: 'health-gate' },
  waitReady: {
    statefulSetReady: 'statefulset-ready',
    statefulSetEmpty: 'statefulset-empty',
    pvcResized: 'pvc-resized',
  },
  applyAndWait: { apply: 'apply', patch: 'patch', delete: 'delete' },
  rollingRestart: {
    rollingRestart: 'rolling-restart',
    rollMember: 'roll-member',
    deleteMember: 'delete-member',
    memberUpdated: 'member-updated',
  },
  backupRun: { backup: 'backup' },
  restoreRun: { offline: 'restore-offline', online: 'restore-online' },
  retentionCleanup: { cleanup: 'cleanup' },
} as const;

export function ref(name: CwtName, template: string): TemplateRef {
  return { name, template, clusterScope: true };
}

/** What to put in a hook's health URL parameter when the type declares no /health hook. */
export const NO_HEALTH_URL = 'none';
