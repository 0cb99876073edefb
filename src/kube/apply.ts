// Server-side apply with the single field manager `mwop`, for objects and for status.
import type { KubernetesObject } from '@kubernetes/client-node';
import { resourcePath } from './gvr.ts';
import type { KubeRest } from './rest.ts';

export const FIELD_MANAGER = 'mwop';
const APPLY = 'application/apply-patch+yaml';
const MERGE = 'application/merge-patch+json';

export interface ApplyOptions {
  dryRun?: boolean;
  /** Take ownership of fields another manager set. Our objects are ours, so the default is true. */
  force?: boolean;
  /** Request deadline; the REST client's default (30 s) when unset. */
  timeoutMs?: number;
}

function pathOf(obj: KubernetesObject, subresource?: 'status'): string {
  if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) {
    throw new Error('cannot apply an object without apiVersion, kind and metadata.name');
  }
  const parts = { name: obj.metadata.name, subresource } as const;
  return resourcePath(
    obj.apiVersion,
    obj.kind,
    obj.metadata.namespace ? { ...parts, namespace: obj.metadata.namespace } : parts,
  );
}

export function serverSideApply<T extends KubernetesObject>(
  rest: KubeRest,
  obj: T,
  opts: ApplyOptions = {},
): Promise<T> {
  return rest.patch<T>(pathOf(obj), obj, APPLY, {
    query: {
      fieldManager: FIELD_MANAGER,
      force: opts.force ?? true,
      dryRun: opts.dryRun ? 'All' : undefined,
    },
  });
}

/**
 * Writes status through the status subresource with a merge patch. Only the fields given change,
 * and the spec cannot be touched by accident.
 */
export function patchStatus<T extends KubernetesObject>(
  rest: KubeRest,
  obj: Pick<KubernetesObject, 'apiVersion' | 'kind' | 'metadata'>,
  status: Record<string, unknown>,
): Promise<T> {
  return rest.patch<T>(pathOf(obj as KubernetesObject, 'status'), { status }, MERGE, {
    query: { fieldManager: FIELD_MANAGER },
  });
}

export function mergePatch<T extends KubernetesObject>(
  rest: KubeRest,
  obj: Pick<KubernetesObject, 'apiVersion' | 'kind' | 'metadata'>,
  patch: Record<string, unknown>,
): Promise<T> {
  return rest.patch<T>(pathOf(obj as KubernetesObject), patch, MERGE, {
    query: { fieldManager: FIELD_MANAGER },
  });
}
