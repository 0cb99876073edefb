// Pure: the checks behind scale, upgrade, restart and switchover, done before anything is sent so
// a wrong flag is explained with the bounds and choices the plugin actually has. These commands
// only edit the spec or create a MiddlewareOperation; the operator performs the change.
import {
  API_VERSION,
  type MiddlewareInstance,
  type MiddlewareOperation,
  type MiddlewareOperationSpec,
  type MiddlewareType,
  type MiddlewareTypeVersion,
} from '../api/index.ts';
import { upgradePath } from '../plugins/versions.ts';
import { comparePluginVersions, pickMiddlewareVersion } from './create-plan.ts';
import { CliError } from './errors.ts';

export function versionOf(type: MiddlewareType, instance: MiddlewareInstance): MiddlewareTypeVersion {
  const v = type.spec.versions.find((x) => x.pluginVersion === instance.spec.pluginVersion);
  if (!v) {
    throw new CliError(
      `instance ${instance.metadata.name} uses plugin version ${instance.spec.pluginVersion}, which type ${type.metadata.name} does not have`,
      `its plugin versions are: ${type.spec.versions.map((x) => x.pluginVersion).join(', ')}; ask a platform admin to restore the missing version`,
    );
  }
  return v;
}

export function checkReplicas(type: MiddlewareType, instance: MiddlewareInstance, replicas: number): void {
  const { minReplicas, maxReplicas } = versionOf(type, instance).scalingRules;
  if (!Number.isInteger(replicas) || replicas < minReplicas || replicas > maxReplicas) {
    throw new CliError(
      `--replicas ${replicas}: ${type.metadata.name} plugin ${instance.spec.pluginVersion} allows ${minReplicas} to ${maxReplicas} members`,
      `pass --replicas between ${minReplicas} and ${maxReplicas}`,
    );
  }
}

/** Shortest chain of plugin versions from `from` to `to` along upgradeFrom edges (src/plugins). */
export { upgradePath };

export interface UpgradeTarget {
  pluginVersion: string;
  middlewareVersion: string;
}

export function planUpgrade(
  type: MiddlewareType,
  instance: MiddlewareInstance,
  want: { pluginVersion?: string; version?: string },
): UpgradeTarget {
  const typeName = type.metadata.name ?? '';
  const from = instance.spec.pluginVersion;
  if (want.pluginVersion === undefined && want.version === undefined) {
    throw new CliError(
      'upgrade needs --plugin-version, --version, or both',
      `for example --plugin-version ${newest(type)}; \`kubectl mw types\` lists the versions`,
    );
  }
  const to = want.pluginVersion ?? from;
  const target = type.spec.versions.find((v) => v.pluginVersion === to);
  if (!target) {
    throw new CliError(
      `--plugin-version ${to}: type ${typeName} has no plugin version ${to}`,
      `use one of: ${type.spec.versions.map((v) => v.pluginVersion).join(', ')}`,
    );
  }
  if (to !== from && !(target.upgradeFrom ?? []).includes(from)) {
    const path = upgradePath(type, from, to);
    throw new CliError(
      `${typeName} plugin ${to} cannot upgrade in place from ${from} (its upgradeFrom is ${JSON.stringify(target.upgradeFrom ?? [])})`,
      path
        ? `upgrade step by step: ${path
            .slice(1)
            .map((v) => `--plugin-version ${v}`)
            .join(', then ')}`
        : `no upgrade path leads from ${from} to ${to}; back up, then restore into a new instance created with --plugin-version ${to}`,
    );
  }
  let middlewareVersion: string;
  if (want.version !== undefined) {
    middlewareVersion = pickMiddlewareVersion(typeName, target, want.version).version;
  } else {
    const current = instance.status?.middlewareVersion ?? instance.spec.middlewareVersion;
    middlewareVersion =
      current && target.supportedVersions.some((s) => s.version === current)
        ? current
        : pickMiddlewareVersion(typeName, target).version;
  }
  const currentVersion = instance.spec.middlewareVersion;
  if (to === from && middlewareVersion === currentVersion) {
    throw new CliError(
      `${instance.metadata.name} already runs plugin ${from} with ${typeName} ${middlewareVersion}`,
      `pick another version: plugin versions ${type.spec.versions.map((v) => v.pluginVersion).join(', ')}; ${typeName} versions of ${from}: ${target.supportedVersions.map((s) => s.version).join(', ')}`,
    );
  }
  return { pluginVersion: to, middlewareVersion };
}

function newest(type: MiddlewareType): string {
  return (
    [...type.spec.versions]
      .map((v) => v.pluginVersion)
      .sort(comparePluginVersions)
      .pop() ?? 'v1'
  );
}

/** A MiddlewareOperation for an instance, named <instance>-<kind>-<random> by the API server. */
export function operationFor(
  instance: MiddlewareInstance,
  spec: Omit<MiddlewareOperationSpec, 'instanceRef'>,
): MiddlewareOperation {
  const name = instance.metadata.name ?? '';
  return {
    apiVersion: API_VERSION,
    kind: 'MiddlewareOperation',
    metadata: {
      generateName: `${name}-${spec.type.toLowerCase()}-`,
      namespace: instance.metadata.namespace ?? '',
      labels: { 'mwop.dev/instance': name, 'mwop.dev/type': instance.spec.type },
    },
    spec: { instanceRef: { name }, ...spec } as MiddlewareOperationSpec,
  };
}

export function checkSwitchover(type: MiddlewareType, instance: MiddlewareInstance): void {
  const version = versionOf(type, instance);
  if (!version.lifecycleHooks?.switchover) {
    throw new CliError(
      `${type.metadata.name} plugin ${instance.spec.pluginVersion} declares no switchover hook, so it cannot switch over`,
      'only plugin versions with lifecycleHooks.switchover support it (`kubectl get mwt <type> -o yaml` shows the hooks)',
    );
  }
  if ((instance.spec.replicas ?? 1) < 2) {
    throw new CliError(
      `${instance.metadata.name} has ${instance.spec.replicas ?? 1} member; a switchover needs at least 2`,
      `scale it first: \`kubectl mw scale ${instance.metadata.name} --replicas 2\``,
    );
  }
}
