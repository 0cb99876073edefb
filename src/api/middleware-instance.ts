import {
  conditionsField,
  LocalObjectReference,
  observedGenerationField,
  ResourceRequirements,
} from './common.ts';
import {
  bool,
  DURATION_PATTERN,
  freeForm,
  immutable,
  int,
  list,
  name,
  obj,
  opt,
  type Static,
  sizeString,
  str,
  stringEnum,
  time,
  withRules,
} from './schema-kit.ts';

/** FR-006: exactly these ten phases. The state machine is in docs/states.md. */
export const INSTANCE_PHASES = [
  'Pending',
  'Initializing',
  'Running',
  'Scaling',
  'Upgrading',
  'BackingUp',
  'Restoring',
  'Maintenance',
  'Failed',
  'Terminating',
] as const;
export type InstancePhase = (typeof INSTANCE_PHASES)[number];

export const Storage = obj(
  {
    size: withRules(sizeString('Data volume size per member, for example 10Gi. It can grow, never shrink.'), [
      {
        rule: 'quantity(self).compareTo(quantity(oldSelf)) >= 0',
        message: 'storage.size cannot shrink; volumes only grow',
      },
    ]),
    storageClassName: opt(
      withRules(
        str('StorageClass of the data volumes. Empty means the cluster default.', { maxLength: 253 }),
        [immutable('storage.storageClassName')],
      ),
    ),
  },
  'Persistent storage for each member.',
);
export type Storage = Static<typeof Storage>;

export const InstanceConfig = withRules(
  obj(
    {
      preset: opt(str('Preset name from the plugin version, for example small.', { maxLength: 63 })),
      overrides: opt(freeForm('Config keys that override the preset, key by key (FR-013).')),
      configRef: opt(LocalObjectReference),
    },
    'Middleware configuration: a preset plus overrides, or a ConfigMap whose `config.yaml` holds the values.',
  ),
  [
    {
      rule: '!has(self.configRef) || !has(self.overrides)',
      message: 'set either config.overrides or config.configRef, not both',
    },
  ],
);
export type InstanceConfig = Static<typeof InstanceConfig>;

export const Credentials = obj(
  {
    existingSecret: opt(name('Use this Secret instead of generating one (FR-037).')),
    usernameKey: opt(str('Key of the username in the Secret.', { default: 'username', maxLength: 253 })),
    passwordKey: opt(str('Key of the password in the Secret.', { default: 'password', maxLength: 253 })),
  },
  'Credentials: by default a random password is generated into a Secret; or name an existing Secret.',
);
export type Credentials = Static<typeof Credentials>;

export const Tls = obj(
  {
    enabled: bool('Serve TLS, with a certificate from cert-manager (FR-036).'),
    issuerRef: opt(
      obj(
        {
          name: name('Issuer name.'),
          kind: opt(stringEnum(['Issuer', 'ClusterIssuer'] as const, 'Issuer kind.', { default: 'Issuer' })),
        },
        'cert-manager issuer that signs the certificate.',
      ),
    ),
  },
  'TLS for client connections.',
);
export type Tls = Static<typeof Tls>;

export const Retention = withRules(
  obj(
    {
      maxCount: opt(int('Keep at most this many successful backups.', { minimum: 1, maximum: 1000 })),
      maxAge: opt(
        str('Delete backups older than this, for example 720h or 30d.', {
          pattern: DURATION_PATTERN,
          maxLength: 32,
        }),
      ),
    },
    'Retention: both limits apply together; the newest successful backup is never deleted (FR-028).',
  ),
  [{ rule: 'has(self.maxCount) || has(self.maxAge)', message: 'retention needs maxCount, maxAge, or both' }],
);
export type Retention = Static<typeof Retention>;

export const BackupPolicy = obj(
  {
    storage: name('BackupStorage to write to (FR-025).'),
    schedule: opt(str('Cron expression, for example "0 3 * * *" (FR-027).', { maxLength: 128 })),
    startingDeadlineSeconds: opt(
      int('A scheduled run that is missed by more than this is skipped, as with CronJob.', {
        minimum: 0,
        default: 600,
      }),
    ),
    suspend: opt(bool('Pause scheduled backups.')),
    retention: opt(Retention),
  },
  'Scheduled backups and their retention.',
);
export type BackupPolicy = Static<typeof BackupPolicy>;

export const RestoreFrom = withRules(
  obj(
    {
      backup: opt(name('MiddlewareBackup in this namespace to restore from.')),
      s3: opt(
        obj(
          {
            storage: name('BackupStorage holding the backup.'),
            path: str('Key of the backup metadata.json in the bucket.', { minLength: 1, maxLength: 1024 }),
          },
          'A backup found directly in S3.',
        ),
      ),
    },
    'Create this instance from a backup (FR-012). Only read at creation.',
  ),
  [
    { rule: 'has(self.backup) != has(self.s3)', message: 'restoreFrom needs exactly one of backup or s3' },
    immutable('restoreFrom'),
  ],
);
export type RestoreFrom = Static<typeof RestoreFrom>;

export const MiddlewareInstanceSpec = withRules(
  obj(
    {
      type: withRules(name('MiddlewareType name, for example redis. Set at creation.'), [immutable('type')]),
      pluginVersion: str('Plugin version of the type, always explicit (FR-015), for example v1.', {
        pattern: '^v[0-9]+([.-][0-9A-Za-z]+)*$',
        maxLength: 32,
      }),
      middlewareVersion: opt(
        str('Middleware version; defaults to the plugin version default.', { maxLength: 64 }),
      ),
      replicas: opt(int('Number of members.', { minimum: 0, maximum: 1000, default: 1 })),
      resources: opt(ResourceRequirements),
      storage: Storage,
      serviceType: opt(
        stringEnum(
          ['ClusterIP', 'NodePort', 'LoadBalancer'] as const,
          'How the client Service is exposed (FR-011).',
          {
            default: 'ClusterIP',
          },
        ),
      ),
      config: opt(InstanceConfig),
      credentials: opt(withRules(Credentials, [immutable('credentials')])),
      tls: opt(Tls),
      backup: opt(BackupPolicy),
      deletionPolicy: opt(
        stringEnum(
          ['Delete', 'Retain'] as const,
          'Delete removes everything; Retain keeps the PVCs and Secret (FR-007).',
          {
            default: 'Delete',
          },
        ),
      ),
      restoreFrom: opt(RestoreFrom),
    },
    'Desired state of a middleware instance.',
  ),
  [
    {
      rule: 'has(oldSelf.restoreFrom) || !has(self.restoreFrom)',
      message: 'restoreFrom can only be set at creation',
    },
  ],
);
export type MiddlewareInstanceSpec = Static<typeof MiddlewareInstanceSpec>;

export const OperationRecord = obj(
  {
    name: str('Operation id, unique per instance.', { maxLength: 253 }),
    type: str('Operation type, for example Create, ScaleOut, Upgrade.', { maxLength: 64 }),
    workflow: opt(str('Name of the Argo Workflow running it.', { maxLength: 253 })),
    parameters: opt(
      str('The planned change as JSON, for example {"kind":"ScaleOut","from":1,"to":3}.', {
        maxLength: 4096,
      }),
    ),
    phase: str('Pending, Running, Succeeded, Failed or Cancelled.', { maxLength: 32 }),
    progress: opt(str('Steps done and total, for example 3/7.', { maxLength: 32 })),
    failedStep: opt(str('The step that failed.', { maxLength: 253 })),
    message: opt(str('Why it failed, or what it is doing.', { maxLength: 32768 })),
    startedAt: opt(time('When it started.')),
    finishedAt: opt(time('When it finished.')),
  },
  'One lifecycle operation and its workflow.',
);
export type OperationRecord = Static<typeof OperationRecord>;

export const MiddlewareInstanceStatus = obj(
  {
    phase: opt(stringEnum(INSTANCE_PHASES, 'Lifecycle phase (FR-006); see docs/states.md.')),
    message: opt(str('Human-readable summary of the phase.', { maxLength: 32768 })),
    conditions: conditionsField(),
    observedGeneration: observedGenerationField(),
    replicas: opt(int('Members that exist.', { minimum: 0 })),
    readyReplicas: opt(int('Members that are ready.', { minimum: 0 })),
    pluginVersion: opt(str('Plugin version currently running.', { maxLength: 32 })),
    middlewareVersion: opt(str('Middleware version currently running.', { maxLength: 64 })),
    connection: opt(
      obj(
        {
          host: str('Client Service DNS name.', { maxLength: 253 }),
          port: int('Client port.', { minimum: 1, maximum: 65535 }),
          secretName: str('Secret holding the credentials.', { maxLength: 253 }),
        },
        'Where and how to connect.',
      ),
    ),
    operations: opt(
      obj(
        {
          current: opt(OperationRecord),
          recent: opt(list(OperationRecord, 'Finished operations, newest first.', { maxItems: 10 })),
        },
        'The running operation and recent ones.',
      ),
    ),
    applied: opt(
      obj(
        {
          replicas: opt(int('Members the workload was last set to by a finished operation.', { minimum: 0 })),
          pluginVersion: opt(str('Plugin version the workload runs.', { maxLength: 32 })),
          middlewareVersion: opt(str('Middleware version the workload runs.', { maxLength: 64 })),
          resources: opt(ResourceRequirements),
          storageSize: opt(str('Data volume size the PVCs were last grown to.', { maxLength: 64 })),
          configChecksum: opt(str('Checksum of the config files the members run with.', { maxLength: 128 })),
          restoredFrom: opt(
            str('The spec.restoreFrom source already loaded, so it is loaded once.', { maxLength: 1100 }),
          ),
        },
        'What finished operations have put in place. Orchestrated changes (replicas, versions, resources, storage, config) reach the workload only through a workflow; the difference between spec and applied is the work still to do.',
      ),
    ),
    lastBackup: opt(
      obj(
        {
          name: str('MiddlewareBackup name.', { maxLength: 253 }),
          completionTime: opt(time('When it completed.')),
        },
        'The newest successful backup.',
      ),
    ),
    lastScheduleTime: opt(time('When the schedule last created a backup.')),
  },
  'Observed state of the instance.',
);
export type MiddlewareInstanceStatus = Static<typeof MiddlewareInstanceStatus>;
