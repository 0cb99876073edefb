import {
  type Condition,
  conditionsField,
  EnvVar,
  observedGenerationField,
  ResourceRequirements,
} from './common.ts';
import {
  bool,
  DNS_LABEL_PATTERN,
  freeForm,
  int,
  list,
  obj,
  opt,
  type Static,
  str,
  stringEnum,
  stringMap,
  Type,
  withRules,
} from './schema-kit.ts';

export const HOOK_NAMES = [
  'health',
  'role',
  'init',
  'preUpgrade',
  'postUpgrade',
  'preScaleIn',
  'postScaleOut',
  'switchover',
  'failover',
  'reloadConfig',
] as const;
export type HookName = (typeof HOOK_NAMES)[number];

export const Hook = obj(
  {
    path: str('HTTP path on the hook port, for example /pre-upgrade.', { pattern: '^/', maxLength: 256 }),
    method: opt(stringEnum(['GET', 'POST'] as const, 'HTTP method.', { default: 'POST' })),
    timeoutSeconds: opt(
      int('Deadline for one call, in seconds.', { minimum: 1, maximum: 3600, default: 30 }),
    ),
  },
  'One lifecycle hook: an HTTP endpoint served by the middleware pod (see docs/hook-api.yaml).',
);
export type Hook = Static<typeof Hook>;

const optionalHook = opt(Hook);
const hookProps = Object.fromEntries(HOOK_NAMES.map((h) => [h, optionalHook])) as {
  [K in HookName]: typeof optionalHook;
};

export const LifecycleHooks = obj(
  {
    port: opt(
      int('TCP port the hook agent listens on in every pod.', { minimum: 1, maximum: 65535, default: 8080 }),
    ),
    ...hookProps,
    custom: opt(
      Type.Unsafe<Record<string, Hook>>({
        type: 'object',
        description: 'Extra hooks by name, callable with a MiddlewareOperation of type CustomHook.',
        additionalProperties: Hook,
        maxProperties: 32,
      }),
    ),
  },
  'The HTTP hooks this plugin version serves. A hook that is not declared is skipped by every workflow.',
);
export type LifecycleHooks = Static<typeof LifecycleHooks>;

const hookNameList = (description: string) =>
  opt(list(stringEnum(HOOK_NAMES, 'A hook name.'), description, { maxItems: 10 }));

export const ScalingRules = withRules(
  obj(
    {
      minReplicas: int('Fewest members an instance may have.', { minimum: 1, default: 1 }),
      maxReplicas: int('Most members an instance may have.', { minimum: 1 }),
      scaleOutHooks: hookNameList('Hooks called on each new member after a scale-out, in order.'),
      scaleInHooks: hookNameList('Hooks called on each leaving member before a scale-in, in order.'),
    },
    'Bounds and hooks for horizontal scaling (FR-010).',
  ),
  [{ rule: 'self.minReplicas <= self.maxReplicas', message: 'minReplicas must not exceed maxReplicas' }],
);
export type ScalingRules = Static<typeof ScalingRules>;

export const BackupConfig = obj(
  {
    image: str('Image of the backup tool pod (FR-024).', { minLength: 1 }),
    command: list(str('Argument.'), 'Command that takes a backup and streams it to S3.', {
      minItems: 1,
      maxItems: 32,
    }),
    restoreCommand: opt(list(str('Argument.'), 'Command that restores a verified backup.', { maxItems: 32 })),
    env: opt(list(EnvVar, 'Extra environment for the tool.', { maxItems: 64 })),
    resources: opt(ResourceRequirements),
    timeoutSeconds: opt(int('Deadline for one backup or restore run.', { minimum: 30, default: 3600 })),
  },
  'How to back up and restore this middleware, as a separate tool pod (FR-023).',
);
export type BackupConfig = Static<typeof BackupConfig>;

export const SecurityContext = obj(
  {
    runAsUser: opt(int('UID the containers run as.', { format: 'int64', minimum: 0 })),
    runAsGroup: opt(int('GID the containers run as.', { format: 'int64', minimum: 0 })),
    fsGroup: opt(int('Group that owns the mounted volumes.', { format: 'int64', minimum: 0 })),
    runAsNonRoot: opt(bool('Refuse to start a container as root.')),
    readOnlyRootFilesystem: opt(bool('Mount the container root filesystem read-only.')),
    allowPrivilegeEscalation: opt(bool('Allow setuid binaries to gain privileges.')),
    capabilitiesDrop: opt(
      list(str('Capability.'), 'Linux capabilities to drop, for example ALL.', { maxItems: 64 }),
    ),
    capabilitiesAdd: opt(list(str('Capability.'), 'Linux capabilities to add.', { maxItems: 64 })),
    seccompProfile: opt(stringEnum(['RuntimeDefault', 'Unconfined'] as const, 'Seccomp profile type.')),
    sysctls: opt(stringMap('Namespaced sysctls to set on the pod.')),
  },
  'Pod and container security settings for the middleware (FR-039).',
);
export type SecurityContext = Static<typeof SecurityContext>;

export const SupportedVersion = obj(
  {
    version: str('Middleware version, for example 7.2.11.', { minLength: 1, maxLength: 64 }),
    image: str('Container image of the middleware at this version.', { minLength: 1 }),
    agentImage: opt(str('Hook agent sidecar image, when it differs per version.')),
    default: opt(bool('The version used when an instance does not name one.')),
    deprecated: opt(bool('Still supported, but new instances should not use it.')),
  },
  'One middleware version this plugin version can run (FR-017).',
);
export type SupportedVersion = Static<typeof SupportedVersion>;

export const ContainerPort = obj(
  {
    name: str('Port name, used by the Services.', { pattern: DNS_LABEL_PATTERN, maxLength: 15 }),
    port: int('Container port.', { minimum: 1, maximum: 65535 }),
    protocol: opt(stringEnum(['TCP', 'UDP'] as const, 'Protocol.', { default: 'TCP' })),
  },
  'A port the middleware serves.',
);

export const Workload = obj(
  {
    ports: list(ContainerPort, 'Ports the middleware serves. The first one is the client port.', {
      minItems: 1,
      maxItems: 16,
    }),
    command: opt(list(str('Argument.'), 'Overrides the image entrypoint.', { maxItems: 64 })),
    args: opt(list(str('Argument.'), 'Arguments to the entrypoint.', { maxItems: 64 })),
    env: opt(list(EnvVar, 'Environment for the middleware container.', { maxItems: 64 })),
    dataMountPath: str('Where the data volume is mounted.', { pattern: '^/' }),
    configMountPath: str('Where the rendered config files are mounted.', { pattern: '^/' }),
    passwordEnv: opt(str('Environment variable that receives the password from the credentials Secret.')),
    usernameEnv: opt(str('Environment variable that receives the username from the credentials Secret.')),
  },
  'How the middleware container runs.',
);
export type Workload = Static<typeof Workload>;

export const ConfigFile = obj(
  {
    name: str('File name in the config volume, for example redis.conf.', {
      pattern: '^[A-Za-z0-9._-]+$',
      maxLength: 253,
    }),
    template: str('Handlebars template rendered with the validated config.', { maxLength: 65536 }),
  },
  'A config file rendered from the validated config (FR-030).',
);
export type ConfigFile = Static<typeof ConfigFile>;

export const Preset = obj(
  {
    name: str('Preset name, for example small.', { pattern: DNS_LABEL_PATTERN, maxLength: 63 }),
    description: opt(str('What the preset is for.')),
    config: opt(freeForm('Config values; users may override them key by key (FR-013).')),
    resources: opt(ResourceRequirements),
    storageSize: opt(str('Default data volume size for this preset.', { maxLength: 64 })),
    default: opt(bool('The preset used when an instance names none.')),
  },
  'A named set of config values and resources.',
);
export type Preset = Static<typeof Preset>;

export const Connection = obj(
  {
    scheme: opt(str('URI scheme, for example redis or mysql.', { maxLength: 32 })),
    username: opt(str('Fixed username, when the middleware has one (for example root or default).')),
    cliTemplate: opt(str('Handlebars template of a client command line (host, port, username, secretName).')),
  },
  'How clients connect, for status.connection and `kubectl mw connect`.',
);
export type Connection = Static<typeof Connection>;

export const MiddlewareTypeVersion = withRules(
  obj(
    {
      pluginVersion: str('Plugin version name, for example v1. Published versions are immutable (FR-015).', {
        pattern: '^v[0-9]+([.-][0-9A-Za-z]+)*$',
        maxLength: 32,
      }),
      upgradeFrom: opt(
        list(
          str('A plugin version.', { maxLength: 32 }),
          'Plugin versions that may upgrade in place to this one (FR-016).',
          {
            maxItems: 32,
          },
        ),
      ),
      deprecated: opt(bool('New instances should not use this version.')),
      supportedVersions: list(SupportedVersion, 'Middleware versions and their images.', {
        minItems: 1,
        maxItems: 64,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['version'],
      }),
      workload: Workload,
      lifecycleHooks: opt(LifecycleHooks),
      scalingRules: ScalingRules,
      backupConfig: opt(BackupConfig),
      securityContext: opt(SecurityContext),
      configTemplate: opt(str('CUE schema the user config must satisfy (FR-020).', { maxLength: 65536 })),
      configFiles: opt(
        list(ConfigFile, 'Config files rendered into the instance ConfigMap.', { maxItems: 16 }),
      ),
      restartKeys: opt(
        list(str('Config key.', { maxLength: 256 }), 'Config keys that need a rolling restart to apply.', {
          maxItems: 256,
        }),
      ),
      presets: opt(
        list(Preset, 'Named presets. One may be marked default.', {
          maxItems: 16,
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
        }),
      ),
      connection: opt(Connection),
    },
    'One published plugin version of a middleware type.',
  ),
  [
    {
      rule: 'self == oldSelf',
      message:
        'published plugin versions are immutable (FR-015): add a new version instead of editing this one',
    },
    {
      rule: '!has(self.upgradeFrom) || !(self.pluginVersion in self.upgradeFrom)',
      message: 'upgradeFrom must not name the version itself',
    },
  ],
);
export type MiddlewareTypeVersion = Static<typeof MiddlewareTypeVersion>;

export const MiddlewareTypeSpec = withRules(
  obj(
    {
      displayName: opt(str('Human-readable name, for example Redis.', { maxLength: 128 })),
      description: opt(str('What this middleware is.', { maxLength: 2048 })),
      versions: list(
        MiddlewareTypeVersion,
        'Plugin versions, one entry each. Versions can be added, never edited.',
        {
          minItems: 1,
          maxItems: 32,
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['pluginVersion'],
        },
      ),
    },
    'A middleware kind and its plugin versions.',
  ),
  [
    {
      rule: 'oldSelf.versions.all(o, self.versions.exists(n, n.pluginVersion == o.pluginVersion))',
      message: 'a published plugin version cannot be removed (FR-015); mark it deprecated instead',
    },
  ],
);
export type MiddlewareTypeSpec = Static<typeof MiddlewareTypeSpec>;

export const MiddlewareTypeStatus = obj(
  {
    phase: opt(
      stringEnum(['Ready', 'Invalid'] as const, 'Ready when every version resolves and its CUE compiles.'),
    ),
    conditions: conditionsField(),
    observedGeneration: observedGenerationField(),
    pluginVersions: opt(
      list(str('A plugin version.'), 'Published plugin versions, oldest first.', { maxItems: 32 }),
    ),
  },
  'Observed state of the type.',
);
export type MiddlewareTypeStatus = Static<typeof MiddlewareTypeStatus>;
export type { Condition };
