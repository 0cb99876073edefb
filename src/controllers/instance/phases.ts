// The instance phase state machine (FR-006), the same table as docs/states.md; a unit test reads the
// document and checks that both agree. Pure.
import type { InstancePhase } from '../../api/index.ts';

/** What moves an instance from one phase to another. docs/states.md says what triggers each. */
export const PHASE_EVENTS = [
  'SpecInvalid',
  'SpecFixed',
  'CreateStarted',
  'CreateSucceeded',
  'CreateFailed',
  'ScaleStarted',
  'UpgradeStarted',
  'MaintenanceStarted',
  'RestoreStarted',
  'BackupStarted',
  'BackupFinished',
  'OperationSucceeded',
  'OperationFailed',
  'MembersFailed',
  'MembersRecovered',
  'DeletionRequested',
] as const;
export type PhaseEvent = (typeof PHASE_EVENTS)[number];

/** Operation starts that a Running (or member-Failed) instance accepts, and the phase each shows. */
const OPERATION_STARTS = {
  ScaleStarted: 'Scaling',
  UpgradeStarted: 'Upgrading',
  MaintenanceStarted: 'Maintenance',
  RestoreStarted: 'Restoring',
} as const satisfies Partial<Record<PhaseEvent, InstancePhase>>;

const OPERATION_ENDS = {
  OperationSucceeded: 'Running',
  // A failed scale, upgrade or maintenance leaves the workload as it was (edge case 3): the instance
  // keeps running, and the SpecApplied condition says which step failed and why.
  OperationFailed: 'Running',
  DeletionRequested: 'Terminating',
} as const satisfies Partial<Record<PhaseEvent, InstancePhase>>;

export const TRANSITIONS: Readonly<Record<InstancePhase, Partial<Record<PhaseEvent, InstancePhase>>>> = {
  Pending: {
    SpecInvalid: 'Failed',
    CreateStarted: 'Initializing',
    DeletionRequested: 'Terminating',
  },
  Initializing: {
    CreateSucceeded: 'Running',
    CreateFailed: 'Failed',
    DeletionRequested: 'Terminating',
  },
  Running: {
    ...OPERATION_STARTS,
    BackupStarted: 'BackingUp',
    MembersFailed: 'Failed',
    DeletionRequested: 'Terminating',
  },
  Scaling: OPERATION_ENDS,
  Upgrading: OPERATION_ENDS,
  Maintenance: OPERATION_ENDS,
  Restoring: OPERATION_ENDS,
  BackingUp: {
    // Succeeded or failed: a failed backup says nothing about the members' health.
    BackupFinished: 'Running',
    DeletionRequested: 'Terminating',
  },
  Failed: {
    // Never created: the user fixed the spec, or the next Create starts.
    SpecFixed: 'Pending',
    CreateStarted: 'Initializing',
    // Created, but members failed: they came back, or an operation repairs them.
    MembersRecovered: 'Running',
    ...OPERATION_STARTS,
    DeletionRequested: 'Terminating',
  },
  // The finalizer runs; the object then disappears. Nothing leaves Terminating.
  Terminating: {},
};

export class PhaseTransitionError extends Error {
  readonly from: InstancePhase;
  readonly event: string;

  constructor(from: InstancePhase, event: string) {
    const allowed = Object.entries(TRANSITIONS[from]).map(([e, to]) => `${e} -> ${to}`);
    super(
      `no transition from phase ${from} on ${event}; ${from} accepts ${allowed.length ? allowed.join(', ') : 'no events'} (docs/states.md)`,
    );
    this.name = 'PhaseTransitionError';
    this.from = from;
    this.event = event;
  }
}

/** The phase after `event`, or a PhaseTransitionError naming what the current phase accepts. */
export function nextPhase(current: InstancePhase, event: PhaseEvent): InstancePhase {
  const to = TRANSITIONS[current]?.[event];
  if (!to) throw new PhaseTransitionError(current, event);
  return to;
}

export function canTransition(current: InstancePhase, event: PhaseEvent): boolean {
  return TRANSITIONS[current]?.[event] !== undefined;
}
