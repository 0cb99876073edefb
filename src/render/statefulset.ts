// The members: one StatefulSet with the middleware container and the hook agent sidecar.
import type {
  V1Container,
  V1EnvVar,
  V1StatefulSet,
  V1StatefulSetPersistentVolumeClaimRetentionPolicy,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import type { MiddlewareInstance } from '../api/index.ts';
import type { RenderedConfig } from '../config/types.ts';
import type { ResolvedPlugin } from '../plugins/types.ts';
import { renderAgentContainer, usernameEnv } from './agent.ts';
import {
  credentialRefs,
  memberResources,
  metricsEndpoint,
  replicas,
  storageSize,
  TLS_MOUNT_PATH,
  toContainerResources,
} from './effective.ts';
import { ANNOTATION_CONFIG_CHECKSUM, childMeta, commonLabels, names, podSelector } from './meta.ts';
import { middlewareContainerSecurityContext, podSecurityContext } from './security-context.ts';
import type { RenderOptions } from './types.ts';

export const MIDDLEWARE_CONTAINER = 'middleware';
export const DATA_VOLUME = 'data';

/** FR-033: scrape annotations are always set, whether or not the Prometheus Operator is installed. */
export function scrapeAnnotations(plugin: ResolvedPlugin): Record<string, string> {
  const m = metricsEndpoint(plugin);
  return {
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': String(m.port),
    'prometheus.io/path': m.path,
  };
}

/**
 * FR-007. Delete: the volumes go with the instance. Retain: they stay for a later restore. A
 * scale-in always keeps the leaving member's volume: the scale-in workflow has already handed its
 * data off, and keeping the claim means a later scale-out reuses it instead of resyncing from zero.
 */
export function pvcRetentionPolicy(
  instance: MiddlewareInstance,
): V1StatefulSetPersistentVolumeClaimRetentionPolicy {
  return {
    whenDeleted: (instance.spec.deletionPolicy ?? 'Delete') === 'Retain' ? 'Retain' : 'Delete',
    whenScaled: 'Retain',
  };
}

function middlewareEnv(instance: MiddlewareInstance, plugin: ResolvedPlugin): V1EnvVar[] {
  const w = plugin.version.workload;
  const refs = credentialRefs(instance, plugin);
  const env: V1EnvVar[] = (w.env ?? []).map((e) => ({ name: e.name, value: e.value ?? '' }));
  if (w.passwordEnv)
    env.push({
      name: w.passwordEnv,
      valueFrom: { secretKeyRef: { name: refs.secretName, key: refs.passwordKey } },
    });
  if (w.usernameEnv) env.push(usernameEnv(w.usernameEnv, refs));
  return env;
}

export function renderStatefulSet(
  instance: MiddlewareInstance,
  plugin: ResolvedPlugin,
  config: RenderedConfig,
  options: RenderOptions,
  flags: { tls: boolean },
): V1StatefulSet {
  const n = names(instance);
  const w = plugin.version.workload;
  const sc = plugin.version.securityContext;
  const refs = credentialRefs(instance, plugin);
  const containerSc = middlewareContainerSecurityContext(sc);

  const mounts: V1VolumeMount[] = [
    { name: DATA_VOLUME, mountPath: w.dataMountPath },
    { name: 'config', mountPath: w.configMountPath, readOnly: true },
  ];
  const volumes: V1Volume[] = [
    { name: 'config', configMap: { name: n.configMap } },
    {
      name: 'credentials',
      // Only the password is mapped: the username may be fixed by the type, and a key missing
      // from a user's Secret would keep the pod from starting.
      secret: { secretName: refs.secretName, items: [{ key: refs.passwordKey, path: 'password' }] },
    },
  ];
  if (flags.tls) {
    mounts.push({ name: 'tls', mountPath: TLS_MOUNT_PATH, readOnly: true });
    volumes.push({ name: 'tls', secret: { secretName: n.tlsSecret } });
  }
  if (sc?.readOnlyRootFilesystem) {
    // Most servers still want a scratch directory when the root filesystem is read-only.
    mounts.push({ name: 'tmp', mountPath: '/tmp' });
    volumes.push({ name: 'tmp', emptyDir: {} });
  }

  const resources = toContainerResources(memberResources(instance, plugin));
  const middleware: V1Container = {
    name: MIDDLEWARE_CONTAINER,
    image: plugin.middleware.image,
    ...(w.command?.length ? { command: [...w.command] } : {}),
    ...(w.args?.length ? { args: [...w.args] } : {}),
    ports: w.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol ?? 'TCP' })),
    env: middlewareEnv(instance, plugin),
    ...(Object.keys(resources).length ? { resources } : {}),
    volumeMounts: mounts,
    ...(containerSc ? { securityContext: containerSc } : {}),
  };
  const podSc = podSecurityContext(sc);
  const storageClassName = instance.spec.storage?.storageClassName;

  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: childMeta(instance, plugin.typeName, 'middleware', n.statefulSet),
    spec: {
      serviceName: n.headlessService,
      replicas: replicas(instance),
      selector: { matchLabels: podSelector(instance) },
      // Order is the workflows' job (init names the primary; scale-in hands data off first).
      // OrderedReady would also stall every later member behind one that is not ready, which is
      // exactly when a repair has to reach the others.
      podManagementPolicy: 'Parallel',
      // OnDelete: the StatefulSet controller never restarts members on its own. Rolling restarts
      // (vertical scaling, upgrades, restart keys) are workflows that delete one pod at a time and
      // wait for its /health and the replication state before the next; a RollingUpdate would race
      // them and has no health gate beyond readiness.
      updateStrategy: { type: 'OnDelete' },
      persistentVolumeClaimRetentionPolicy: pvcRetentionPolicy(instance),
      template: {
        metadata: {
          labels: commonLabels(instance, plugin.typeName, 'middleware'),
          annotations: {
            [ANNOTATION_CONFIG_CHECKSUM]: config.checksum,
            ...scrapeAnnotations(plugin),
          },
        },
        spec: {
          // Middleware pods never talk to the API server.
          automountServiceAccountToken: false,
          // Service links inject <SERVICE>_PORT variables that some images read as their own config.
          enableServiceLinks: false,
          ...(podSc ? { securityContext: podSc } : {}),
          containers: [middleware, renderAgentContainer(instance, plugin, options)],
          volumes,
        },
      },
      volumeClaimTemplates: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: DATA_VOLUME, labels: commonLabels(instance, plugin.typeName, 'middleware') },
          spec: {
            accessModes: ['ReadWriteOnce'],
            ...(storageClassName ? { storageClassName } : {}),
            resources: { requests: { storage: storageSize(instance, plugin) } },
          },
        },
      ],
    },
  };
}
