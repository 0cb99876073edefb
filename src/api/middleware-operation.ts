import { conditionsField, LocalObjectReference, observedGenerationField } from './common.ts';
import {
  bool,
  freeForm,
  int,
  name,
  obj,
  opt,
  type Static,
  str,
  stringEnum,
  time,
  withRules,
} from './schema-kit.ts';

export const OPERATION_TYPES = ['Restore', 'Switchover', 'Failover', 'Restart', 'CustomHook'] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

export const OPERATION_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Cancelled'] as const;
export type OperationPhase = (typeof OPERATION_PHASES)[number];

export const MiddlewareOperationSpec = withRules(
  obj(
    {
      instanceRef: LocalObjectReference,
      type: stringEnum(OPERATION_TYPES, 'What to do.'),
      restore: opt(
        obj(
          {
            backup: name('MiddlewareBackup in this namespace to restore in place.'),
            skipSafetyBackup: opt(bool('Skip the safety backup taken before the restore.')),
          },
          'Parameters of a Restore.',
        ),
      ),
      switchover: opt(
        obj(
          {
            target: opt(
              str('Pod to promote; empty lets the agent choose the best replica.', { maxLength: 253 }),
            ),
          },
          'Parameters of a Switchover or Failover.',
        ),
      ),
      customHook: opt(
        obj(
          {
            name: str('Hook name declared in lifecycleHooks.custom.', { maxLength: 63 }),
            body: opt(freeForm('JSON body sent to the hook.')),
          },
          'Parameters of a CustomHook.',
        ),
      ),
      activeDeadlineSeconds: opt(
        int('The operation fails when it runs longer than this.', {
          format: 'int64',
          minimum: 1,
          default: 3600,
        }),
      ),
    },
    'A one-shot operation on an instance. Like a Job, it runs once and records its result.',
  ),
  [
    {
      rule: 'self == oldSelf',
      message: 'a MiddlewareOperation spec is immutable; create a new operation instead',
    },
    {
      rule: "self.type != 'Restore' || has(self.restore)",
      message: 'type Restore needs spec.restore.backup',
    },
    {
      rule: "self.type != 'CustomHook' || has(self.customHook)",
      message: 'type CustomHook needs spec.customHook.name',
    },
  ],
);
export type MiddlewareOperationSpec = Static<typeof MiddlewareOperationSpec>;

export const MiddlewareOperationStatus = obj(
  {
    phase: opt(stringEnum(OPERATION_PHASES, 'Operation phase.')),
    message: opt(str('Why it failed, or what it is doing.', { maxLength: 32768 })),
    conditions: conditionsField(),
    observedGeneration: observedGenerationField(),
    workflow: opt(str('Argo Workflow running it.', { maxLength: 253 })),
    progress: opt(str('Steps done and total, for example 3/7.', { maxLength: 32 })),
    failedStep: opt(str('The step that failed.', { maxLength: 253 })),
    startTime: opt(time('When it started.')),
    completionTime: opt(time('When it finished.')),
  },
  'Observed state of the operation.',
);
export type MiddlewareOperationStatus = Static<typeof MiddlewareOperationStatus>;
