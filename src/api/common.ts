import { int, list, name, obj, opt, quantity, type Static, str, stringEnum, time } from './schema-kit.ts';

/** metav1.Condition, field for field. */
export const Condition = obj(
  {
    type: str('Type of condition in CamelCase, for example Ready.', { maxLength: 316 }),
    status: stringEnum(['True', 'False', 'Unknown'] as const, 'Status of the condition.'),
    observedGeneration: opt(
      int('The .metadata.generation the condition was set from.', { format: 'int64', minimum: 0 }),
    ),
    lastTransitionTime: time('Last time the condition changed status.'),
    reason: str('Machine-readable CamelCase reason for the last transition.', { maxLength: 1024 }),
    message: str('Human-readable message with details about the transition.', { maxLength: 32768 }),
  },
  'A condition in the shape of metav1.Condition.',
  { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] },
);
export type Condition = Static<typeof Condition>;

export function conditionsField() {
  return opt(
    list(Condition, 'Latest observations of the object, in the shape of metav1.Condition.', {
      maxItems: 32,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    }),
  );
}

export function observedGenerationField() {
  return opt(
    int('The .metadata.generation that the controller last reconciled successfully.', {
      format: 'int64',
      minimum: 0,
    }),
  );
}

export const LocalObjectReference = obj(
  { name: name('Name of the referenced object in the same namespace.') },
  'A reference to an object in the same namespace.',
);
export type LocalObjectReference = Static<typeof LocalObjectReference>;

export const ResourceList = obj(
  {
    cpu: opt(quantity('CPU, in cores (`1`) or millicores (`500m`).')),
    memory: opt(quantity('Memory, in bytes with a suffix (`512Mi`, `2Gi`).')),
  },
  'Compute resources by name.',
);

export const ResourceRequirements = obj(
  {
    requests: opt(ResourceList),
    limits: opt(ResourceList),
  },
  'Compute resources for each middleware member (pod), as in a container spec.',
);
export type ResourceRequirements = Static<typeof ResourceRequirements>;

export const EnvVar = obj(
  {
    name: str('Environment variable name.', { minLength: 1, maxLength: 256 }),
    value: opt(str('Literal value.', { maxLength: 4096 })),
  },
  'An environment variable for a container.',
);
export type EnvVar = Static<typeof EnvVar>;
