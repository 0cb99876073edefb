import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INSTANCE_PHASES, type InstancePhase } from '../../../src/api/index.ts';
import { PHASE_OF_OPERATION } from '../../../src/controllers/instance/operations.ts';
import {
  canTransition,
  nextPhase,
  PHASE_EVENTS,
  type PhaseEvent,
  PhaseTransitionError,
  TRANSITIONS,
} from '../../../src/controllers/instance/phases.ts';

/** The transition table of docs/states.md: rows of | From | Event | To | Trigger |. */
function documented(): Array<[InstancePhase, PhaseEvent, InstancePhase]> {
  const text = readFileSync(new URL('../../../docs/states.md', import.meta.url), 'utf8');
  const section = text.split('## Transitions')[1]!.split('\n## ')[0]!;
  return section
    .split('\n')
    .filter((l) => /^\| [A-Z]/.test(l) && !l.startsWith('| From'))
    .map((l) => {
      const [from, event, to] = l
        .split('|')
        .slice(1, 4)
        .map((c) => c.trim());
      return [from as InstancePhase, event as PhaseEvent, to as InstancePhase];
    });
}

const rows = documented();

describe('phase state machine', () => {
  it('documents a sensible number of transitions, each naming real phases and events', () => {
    expect(rows.length).toBe(35);
    for (const [from, event, to] of rows) {
      expect(INSTANCE_PHASES).toContain(from);
      expect(INSTANCE_PHASES).toContain(to);
      expect(PHASE_EVENTS).toContain(event);
    }
  });

  it.each(rows)('%s --%s--> %s', (from, event, to) => {
    expect(nextPhase(from, event)).toBe(to);
  });

  it('has no transition that the document does not list', () => {
    const inCode = Object.entries(TRANSITIONS).flatMap(([from, events]) =>
      Object.entries(events).map(([event, to]) => `${from} ${event} ${to}`),
    );
    expect(inCode.sort()).toEqual(rows.map((r) => r.join(' ')).sort());
  });

  it('rejects every (phase, event) pair the document does not list', () => {
    const allowed = new Set(rows.map(([from, event]) => `${from} ${event}`));
    let rejected = 0;
    for (const from of INSTANCE_PHASES)
      for (const event of PHASE_EVENTS) {
        if (allowed.has(`${from} ${event}`)) continue;
        expect(() => nextPhase(from, event)).toThrow(PhaseTransitionError);
        expect(canTransition(from, event)).toBe(false);
        rejected++;
      }
    expect(rejected).toBe(INSTANCE_PHASES.length * PHASE_EVENTS.length - 35);
  });

  it('says what the phase accepts when it rejects an event', () => {
    expect(() => nextPhase('BackingUp', 'ScaleStarted')).toThrow(
      'no transition from phase BackingUp on ScaleStarted; BackingUp accepts BackupFinished -> Running, DeletionRequested -> Terminating (docs/states.md)',
    );
    expect(() => nextPhase('Terminating', 'CreateStarted')).toThrow(/Terminating accepts no events/);
  });

  it('lets every phase but Terminating reach Terminating, and Terminating reach nothing', () => {
    for (const from of INSTANCE_PHASES)
      if (from !== 'Terminating') expect(nextPhase(from, 'DeletionRequested')).toBe('Terminating');
    expect(Object.keys(TRANSITIONS.Terminating)).toEqual([]);
  });

  it('reaches every phase from Pending', () => {
    const seen = new Set<InstancePhase>(['Pending']);
    const queue: InstancePhase[] = ['Pending'];
    while (queue.length) {
      const p = queue.shift()!;
      for (const to of Object.values(TRANSITIONS[p]))
        if (to && !seen.has(to)) {
          seen.add(to);
          queue.push(to);
        }
    }
    expect([...seen].sort()).toEqual([...INSTANCE_PHASES].sort());
  });

  it('agrees with the phase each operation shows in status', () => {
    const startEvent: Record<InstancePhase, PhaseEvent | undefined> = {
      Initializing: 'CreateStarted',
      Scaling: 'ScaleStarted',
      Upgrading: 'UpgradeStarted',
      Maintenance: 'MaintenanceStarted',
      BackingUp: 'BackupStarted',
      Restoring: 'RestoreStarted',
      Pending: undefined,
      Running: undefined,
      Failed: undefined,
      Terminating: undefined,
    };
    for (const [op, phase] of Object.entries(PHASE_OF_OPERATION)) {
      const event = startEvent[phase];
      expect(event, `${op} shows ${phase}`).toBeDefined();
      const from: InstancePhase = op === 'Create' ? 'Pending' : 'Running';
      expect(nextPhase(from, event!)).toBe(phase);
    }
  });
});
