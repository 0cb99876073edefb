// Pure: which orchestrated change, if any, an instance needs now. One at a time, in a fixed
// order, so that a spec with several edits converges step by step and every step is its own
// visible workflow. A change that cannot be made is reported as a blocker with a message that
// names the field, the value and what is allowed; nothing is half-applied.
import type { MiddlewareInstance, ResourceRequirements } from '../../api/index.ts';
import type { InstanceOperation } from './operations.ts';

export interface Blocker {
  /** Condition reason, CamelCase. */
  reason: string;
  message: string;
}

export interface PlanInput {
  instance: MiddlewareInstance;
  /** Middleware version the spec resolves to (explicit or the plugin version's default). */
  desiredMiddlewareVersion: string;
  /** Checksum of the config the spec renders to, with the version the members run now. */
  desiredConfigChecksum: string;
  /** Checksum of the config the target plugin and middleware version render; an upgrade restarts the members with it. */
  targetConfigChecksum?: string;
  scaling: { minReplicas: number; maxReplicas: number };
  /** From the type's upgradeFrom graph. */
  canUpgrade: (from: string, to: string) => { ok: true } | { ok: false; reason: string };
  /** Does the StorageClass of the data volumes allow online expansion? undefined = unknown. */
  storageExpandable: boolean | undefined;
  /** Compares two quantities, e.g. 10Gi vs 20Gi; negative when a < b. */
  compareQuantity: (a: string, b: string) => number;
}

export interface Plan {
  operation?: InstanceOperation;
  blockers: Blocker[];
}

const sameResources = (a: ResourceRequirements | undefined, b: ResourceRequirements | undefined) =>
  JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));

function normalize(r: ResourceRequirements | undefined) {
  const pick = (l?: { cpu?: string | number; memory?: string | number }) =>
    l
      ? {
          cpu: l.cpu === undefined ? undefined : String(l.cpu),
          memory: l.memory === undefined ? undefined : String(l.memory),
        }
      : {};
  return { requests: pick(r?.requests), limits: pick(r?.limits) };
}

/** A stable key for spec.restoreFrom: `backup:<name>` or `s3:<storage>:<path>`. */
export function restoreSource(instance: MiddlewareInstance): string | undefined {
  const r = instance.spec.restoreFrom;
  if (!r) return undefined;
  if (r.backup) return `backup:${r.backup}`;
  if (r.s3) return `s3:${r.s3.storage}:${r.s3.path}`;
  return undefined;
}

const targetConfig = (input: PlanInput) =>
  input.targetConfigChecksum ? { configChecksum: input.targetConfigChecksum } : {};

export function planOperation(input: PlanInput): Plan {
  const { instance, scaling } = input;
  const spec = instance.spec;
  const applied = instance.status?.applied;
  const replicas = spec.replicas ?? 1;
  const blockers: Blocker[] = [];

  if (replicas < scaling.minReplicas || replicas > scaling.maxReplicas) {
    blockers.push({
      reason: 'ReplicasOutOfBounds',
      message: `spec.replicas: ${replicas} is outside what ${spec.type} ${spec.pluginVersion} allows: ${scaling.minReplicas} to ${scaling.maxReplicas}`,
    });
  }

  if (!applied?.pluginVersion) {
    if (blockers.length > 0) return { blockers };
    return { operation: { kind: 'Create', replicas }, blockers };
  }

  const source = restoreSource(instance);
  if (source && applied.restoredFrom !== source) {
    return { operation: { kind: 'Restore', source }, blockers };
  }

  if (spec.pluginVersion !== applied.pluginVersion) {
    const verdict = input.canUpgrade(applied.pluginVersion, spec.pluginVersion);
    if (!verdict.ok) {
      blockers.push({
        reason: 'UpgradeNotAllowed',
        message: `spec.pluginVersion: ${spec.type} ${applied.pluginVersion} cannot upgrade to ${spec.pluginVersion}: ${verdict.reason}; the instance keeps running ${applied.pluginVersion}`,
      });
    } else {
      return {
        operation: {
          kind: 'Upgrade',
          fromPlugin: applied.pluginVersion,
          toPlugin: spec.pluginVersion,
          fromVersion: applied.middlewareVersion ?? '',
          toVersion: input.desiredMiddlewareVersion,
          ...targetConfig(input),
        },
        blockers,
      };
    }
  } else if (applied.middlewareVersion && input.desiredMiddlewareVersion !== applied.middlewareVersion) {
    return {
      operation: {
        kind: 'VersionSwitch',
        from: applied.middlewareVersion,
        to: input.desiredMiddlewareVersion,
        ...targetConfig(input),
      },
      blockers,
    };
  }

  const appliedReplicas = applied.replicas ?? replicas;
  const inBounds = replicas >= scaling.minReplicas && replicas <= scaling.maxReplicas;
  if (inBounds && replicas > appliedReplicas) {
    return { operation: { kind: 'ScaleOut', from: appliedReplicas, to: replicas }, blockers };
  }
  if (inBounds && replicas < appliedReplicas) {
    return { operation: { kind: 'ScaleIn', from: appliedReplicas, to: replicas }, blockers };
  }

  if (!sameResources(spec.resources, applied.resources)) {
    return { operation: { kind: 'VerticalScale', resources: spec.resources ?? {} }, blockers };
  }

  if (applied.storageSize && input.compareQuantity(spec.storage.size, applied.storageSize) > 0) {
    if (input.storageExpandable === false) {
      blockers.push({
        reason: 'StorageExpansionUnsupported',
        message: `spec.storage.size: cannot grow from ${applied.storageSize} to ${spec.storage.size}: StorageClass ${spec.storage.storageClassName ?? '(cluster default)'} does not set allowVolumeExpansion; volumes are unchanged`,
      });
    } else {
      return {
        operation: { kind: 'VolumeExpand', from: applied.storageSize, to: spec.storage.size },
        blockers,
      };
    }
  }

  if (applied.configChecksum && input.desiredConfigChecksum !== applied.configChecksum) {
    return { operation: { kind: 'ConfigReload', checksum: input.desiredConfigChecksum }, blockers };
  }

  return { blockers };
}
