// mwop-rolling-restart-with-health-gate: rolls a StatefulSet one member at a time, highest
// ordinal first, with the RollingUpdate partition. Each member must be updated, ready and pass
// /health before the partition moves to the next one; a failure stops the rollout where it is,
// so the remaining members keep running the old template (the failure mode of KubeBlocks #9918).
import type { ClusterWorkflowTemplate, Template } from '../argo-types.ts';
import { CWT, NO_HEALTH_URL, ref, T } from './catalog.ts';
import { clusterTemplate } from './cluster-template.ts';
import { input, p } from './params.ts';

const STS = p('statefulset', 'StatefulSet name (the instance name).');
const REPLICAS = p('replicas', 'Members of the StatefulSet.');

/** The patch that freezes a StatefulSet at partition = replicas and, optionally, changes its pod template. */
export function freezePatch(
  statefulset: string,
  partition: number | string,
  podTemplate?: Record<string, unknown>,
): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: statefulset },
    spec: {
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition } },
      ...(podTemplate ? { template: podTemplate } : {}),
    },
  });
}

export function rollingRestartTemplates(): ClusterWorkflowTemplate {
  const setPartition: Template = {
    name: T.rollingRestart.setPartition,
    inputs: {
      parameters: [STS, p('partition', 'Members with an ordinal at or above this one get the new template.')],
    },
    resource: {
      action: 'patch',
      mergeStrategy: 'merge',
      // The partition is a number; the parameter is substituted into the JSON unquoted.
      manifest: freezePatch(input('statefulset'), '__PARTITION__').replace(
        '"__PARTITION__"',
        input('partition'),
      ),
    },
  };
  const memberUpdated: Template = {
    name: T.rollingRestart.memberUpdated,
    inputs: {
      parameters: [
        STS,
        REPLICAS,
        p('updated', 'Members that must run the new template (replicas - partition).'),
      ],
    },
    resource: {
      action: 'get',
      manifest: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: input('statefulset') },
      }),
      successCondition: `status.updatedReplicas == ${input('updated')}, status.readyReplicas == ${input('replicas')}`,
    },
  };
  const rollMember: Template = {
    name: T.rollingRestart.rollMember,
    inputs: {
      parameters: [
        STS,
        REPLICAS,
        p('ordinal', 'The member to roll now.'),
        p(
          'health-url',
          `Its /health URL; "${NO_HEALTH_URL}" when the type declares no health hook.`,
          NO_HEALTH_URL,
        ),
      ],
    },
    dag: {
      tasks: [
        {
          name: 'release',
          template: T.rollingRestart.setPartition,
          arguments: {
            parameters: [
              { name: 'statefulset', value: input('statefulset') },
              { name: 'partition', value: input('ordinal') },
            ],
          },
        },
        {
          name: 'ready',
          depends: 'release',
          template: T.rollingRestart.memberUpdated,
          arguments: {
            parameters: [
              { name: 'statefulset', value: input('statefulset') },
              { name: 'replicas', value: input('replicas') },
              // Members on the new template once this one is: replicas - ordinal.
              {
                name: 'updated',
                value: '{{=asInt(inputs.parameters.replicas) - asInt(inputs.parameters.ordinal)}}',
              },
            ],
          },
        },
        {
          name: 'health',
          depends: 'ready',
          when: `'${input('health-url')}' != '${NO_HEALTH_URL}'`,
          templateRef: ref(CWT.hookCall, T.hookCall.healthGate),
          arguments: { parameters: [{ name: 'url', value: input('health-url') }] },
        },
      ],
    },
  };
  // For people: restart every member of a StatefulSet, one at a time, highest ordinal first.
  const rollingRestart: Template = {
    name: T.rollingRestart.rollingRestart,
    inputs: {
      parameters: [
        STS,
        REPLICAS,
        p('restarted-at', 'Any new value; written to the pod template so the StatefulSet rolls.'),
        p('health-url-prefix', 'URL up to the ordinal, for example http://cache-.'),
        p('health-url-suffix', 'URL after the ordinal, for example .cache-headless.team-a.svc:8080/health.'),
      ],
    },
    parallelism: 1,
    dag: {
      tasks: [
        {
          name: 'freeze',
          templateRef: ref(CWT.applyAndWait, T.applyAndWait.patch),
          arguments: {
            parameters: [
              {
                name: 'manifest',
                value: freezePatch(input('statefulset'), '__REPLICAS__', {
                  metadata: { annotations: { 'mwop.dev/restarted-at': input('restarted-at') } },
                }).replace('"__REPLICAS__"', input('replicas')),
              },
            ],
          },
        },
        {
          name: 'roll',
          depends: 'freeze',
          template: T.rollingRestart.rollMember,
          withSequence: { start: `{{=asInt(inputs.parameters.replicas) - 1}}`, end: '0' },
          arguments: {
            parameters: [
              { name: 'statefulset', value: input('statefulset') },
              { name: 'replicas', value: input('replicas') },
              { name: 'ordinal', value: '{{item}}' },
              {
                name: 'health-url',
                value: `${input('health-url-prefix')}{{item}}${input('health-url-suffix')}`,
              },
            ],
          },
        },
      ],
    },
  };
  return clusterTemplate(
    CWT.rollingRestart,
    'Rolls a StatefulSet one member at a time (highest ordinal first); each member must be ready and pass /health before the next.',
    T.rollingRestart.rollingRestart,
    [rollingRestart, rollMember, setPartition, memberUpdated],
  );
}
