// The hook agent sidecar (docs/hook-api.yaml, x-mwop-agent). Its environment names the type, how
// to reach the middleware in the same pod, and where the credentials are; it serves the hooks the
// workflows call, and /health, which is the pod's readiness.
import type { V1Container, V1EnvVar } from '@kubernetes/client-node';
import { AGENT_ENV } from '../agent/contract.ts';
import type { MiddlewareInstance } from '../api/index.ts';
import type { ResolvedPlugin } from '../plugins/types.ts';
import {
  CREDENTIALS_MOUNT_PATH,
  type CredentialRefs,
  clientPort,
  credentialRefs,
  DEFAULT_AGENT_RESOURCES,
  toContainerResources,
} from './effective.ts';
import { RenderError } from './errors.ts';
import { AGENT_SECURITY_CONTEXT } from './security-context.ts';
import type { RenderOptions } from './types.ts';

export const AGENT_CONTAINER = 'agent';

export function agentImage(plugin: ResolvedPlugin, options: RenderOptions): string {
  const image = plugin.middleware.agentImage ?? options.agentImage;
  if (!image)
    throw new RenderError(
      `MiddlewareType ${plugin.typeName} ${plugin.version.pluginVersion} supportedVersions[version=${plugin.middleware.version}].agentImage`,
      undefined,
      'an agent image, here or in the operator option --agent-image',
    );
  return image;
}

/** The username, from the type's fixed one or the Secret; a missing key is not fatal (optional). */
export function usernameEnv(name: string, refs: CredentialRefs): V1EnvVar {
  return refs.fixedUsername
    ? { name, value: refs.fixedUsername }
    : { name, valueFrom: { secretKeyRef: { name: refs.secretName, key: refs.usernameKey, optional: true } } };
}

export function renderAgentContainer(
  instance: MiddlewareInstance,
  plugin: ResolvedPlugin,
  options: RenderOptions,
): V1Container {
  const refs = credentialRefs(instance, plugin);
  const healthPath = plugin.version.lifecycleHooks?.health?.path ?? '/health';
  return {
    name: AGENT_CONTAINER,
    image: agentImage(plugin, options),
    ports: [{ name: 'hooks', containerPort: plugin.hookPort, protocol: 'TCP' }],
    env: [
      { name: AGENT_ENV.type, value: plugin.typeName },
      { name: AGENT_ENV.listenPort, value: String(plugin.hookPort) },
      // Same pod, same network namespace: the middleware is on loopback.
      { name: AGENT_ENV.middlewareHost, value: '127.0.0.1' },
      { name: AGENT_ENV.middlewarePort, value: String(clientPort(plugin).port) },
      // The password is read from the mounted file on every call, so a rotated Secret needs no restart.
      { name: AGENT_ENV.credentialsDir, value: CREDENTIALS_MOUNT_PATH },
      usernameEnv(AGENT_ENV.username, refs),
    ],
    resources: toContainerResources(options.agentResources ?? DEFAULT_AGENT_RESOURCES),
    readinessProbe: {
      httpGet: { path: healthPath, port: 'hooks' },
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 3,
    },
    volumeMounts: [{ name: 'credentials', mountPath: CREDENTIALS_MOUNT_PATH, readOnly: true }],
    securityContext: structuredClone(AGENT_SECURITY_CONTEXT),
  };
}
