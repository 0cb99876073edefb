// FR-039: the type declares one flat securityContext; Kubernetes splits those settings between the
// pod and its containers. Putting a field on the wrong side is rejected by the API server (sysctls,
// fsGroup are pod-only; capabilities, readOnlyRootFilesystem, allowPrivilegeEscalation are
// container-only), so the split lives here, in one place, with its own test.
import type { V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node';
import type { SecurityContext } from '../api/index.ts';

export function podSecurityContext(sc: SecurityContext | undefined): V1PodSecurityContext | undefined {
  if (!sc) return undefined;
  const out: V1PodSecurityContext = {};
  if (sc.runAsUser !== undefined) out.runAsUser = sc.runAsUser;
  if (sc.runAsGroup !== undefined) out.runAsGroup = sc.runAsGroup;
  if (sc.fsGroup !== undefined) out.fsGroup = sc.fsGroup;
  if (sc.runAsNonRoot !== undefined) out.runAsNonRoot = sc.runAsNonRoot;
  if (sc.seccompProfile) out.seccompProfile = { type: sc.seccompProfile };
  if (sc.sysctls && Object.keys(sc.sysctls).length)
    out.sysctls = Object.entries(sc.sysctls)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => ({ name, value }));
  return Object.keys(out).length ? out : undefined;
}

/** For the middleware container: the container-only settings the type declares. */
export function middlewareContainerSecurityContext(
  sc: SecurityContext | undefined,
): V1SecurityContext | undefined {
  if (!sc) return undefined;
  const out: V1SecurityContext = {};
  if (sc.readOnlyRootFilesystem !== undefined) out.readOnlyRootFilesystem = sc.readOnlyRootFilesystem;
  if (sc.allowPrivilegeEscalation !== undefined) out.allowPrivilegeEscalation = sc.allowPrivilegeEscalation;
  if (sc.capabilitiesDrop?.length || sc.capabilitiesAdd?.length)
    out.capabilities = {
      ...(sc.capabilitiesDrop?.length ? { drop: [...sc.capabilitiesDrop] } : {}),
      ...(sc.capabilitiesAdd?.length ? { add: [...sc.capabilitiesAdd] } : {}),
    };
  return Object.keys(out).length ? out : undefined;
}

/**
 * The agent needs nothing the middleware may need (extra capabilities, a writable root), so it
 * always runs locked down; it inherits the pod's user and seccomp settings.
 */
export const AGENT_SECURITY_CONTEXT: V1SecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};
