// Names, labels and addresses that workflows and the objects they touch agree on.
import { createHash } from 'node:crypto';

export const LABEL_INSTANCE = 'mwop.dev/instance';
export const LABEL_OPERATION = 'mwop.dev/operation';
export const LABEL_TYPE = 'mwop.dev/type';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const ANNOTATION_PARAMETERS = 'mwop.dev/parameters';

/** ServiceAccount the workflow pods (and the argo agent) run as, one per namespace. */
export const WORKFLOW_SERVICE_ACCOUNT = 'mwop-workflow';

/** Container of the middleware in the member pods; rolling changes patch it by name. */
export const MIDDLEWARE_CONTAINER = 'middleware';

export const MAX_NAME = 63;

/** Shortens to 63 characters with a stable 8-hex-digit hash suffix; short names are kept as they are. */
export function boundedName(full: string, max = MAX_NAME): string {
  if (full.length <= max) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, max - 9).replace(/-+$/, '')}-${hash}`;
}

/**
 * Deterministic per (instance, operation, generation), so a restarted operator finds the workflow
 * it already created instead of starting a second one. Fits a label value (63 characters).
 */
export function workflowName(instance: string, operationSlug: string, generation: number): string {
  return boundedName(`${instance}-${operationSlug}-g${generation}`);
}

/** kebab-case of an operation kind: ScaleOut -> scale-out. */
export function slugOf(kind: string): string {
  return kind.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

export function statefulSetName(instance: string): string {
  return instance;
}

/** Headless Service that gives every member a stable DNS name. */
export function headlessServiceName(instance: string): string {
  return `${instance}-headless`;
}

export function memberPodName(instance: string, ordinal: number): string {
  return `${statefulSetName(instance)}-${ordinal}`;
}

/** PVC of a member's data volume: <claim template>-<pod>, as the StatefulSet controller names it. */
export function memberPvcName(instance: string, ordinal: number): string {
  return `data-${memberPodName(instance, ordinal)}`;
}

export function memberHost(instance: string, namespace: string, ordinal: number): string {
  return `${memberPodName(instance, ordinal)}.${headlessServiceName(instance)}.${namespace}.svc`;
}

export function credentialsSecretName(instance: string, existing?: string): string {
  return existing ?? `${instance}-credentials`;
}

/** DAG task names: lowercase alphanumerics and dashes, within Argo's limits. */
export function taskName(...parts: (string | number)[]): string {
  return boundedName(
    parts
      .map(String)
      .join('-')
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/-+/g, '-')
      .replace(/^-|-$/g, ''),
  );
}
