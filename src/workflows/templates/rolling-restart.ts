// mwop-rolling-restart-with-health-gate: rolls a StatefulSet one member at a time, highest
// ordinal first. The rendered StatefulSet uses updateStrategy OnDelete (src/render/statefulset.ts),
// so a changed pod template restarts nothing by itself: each member is deleted, recreated by the
// StatefulSet controller with the new template, and must be ready and pass /health before the next
// one is deleted. A failure stops the rollout where it is; the remaining members keep running the
// old template (the failure mode of KubeBlocks #9918 is a rollout that carries on).
import type { ClusterWorkflowTemplate, Template } from '../argo-types.ts';
import { CWT, NO_HEALTH_URL, ref, T } from './catalog.ts';
import { clusterTemplate } from './cluster-template.ts';
import { input, p } from './params.ts';

const STS = p('statefulset', 'StatefulSet name (the instance name).');
const REPLICAS = p('replicas', 'Members of the StatefulSet.');

/** A strategic-merge patch of the StatefulSet's pod template (nothing restarts under OnDelete). */
export function templatePatch(statefulset: string, podTemplate: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: statefulset },
    spec: { template: podTemplate },
  });
}

export function rollingRestartTemplates(): ClusterWorkflowTemplate {
  const deleteMember: Template = {
    name: T.rollingRestart.deleteMember,
    inputs: { parameters: [STS, p('ordinal', 'The member to restart.')] },
    resource: {
      action: 'delete',
      manifest: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${input('statefulset')}-${input('ordinal')}` },
      }),
      flags: ['--ignore-not-found'],
    },
  };
  const memberUpdated: Template = {
    name: T.rollingRestart.memberUpdated,
    inputs: {
      parameters: [
        STS,
        REPLICAS,
        p(
          'updated-before',
          'Members on the new template before this one was restarted (replicas - ordinal - 1).',
        ),
      ],
    },
    resource: {
      action: 'get',
      manifest: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: input('statefulset') },
      }),
      // One more member on the new template than before, and every member ready.
      successCondition: `status.updatedReplicas > ${input('updated-before')}, status.readyReplicas == ${input('replicas')}`,
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
          name: 'restart',
          template: T.rollingRestart.deleteMember,
          arguments: {
            parameters: [
              { name: 'statefulset', value: input('statefulset') },
              { name: 'ordinal', value: input('ordinal') },
            ],
          },
        },
        {
          name: 'ready',
          depends: 'restart',
          template: T.rollingRestart.memberUpdated,
          arguments: {
            parameters: [
              { name: 'statefulset', value: input('statefulset') },
              { name: 'replicas', value: input('replicas') },
              {
                name: 'updated-before',
                value: '{{=asInt(inputs.parameters.replicas) - asInt(inputs.parameters.ordinal) - 1}}',
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
        p('restarted-at', 'Any new value; written to the pod template so every member counts as outdated.'),
        p('health-url-prefix', 'URL up to the ordinal, for example http://cache-.'),
        p('health-url-suffix', 'URL after the ordinal, for example .cache-headless.team-a.svc:8080/health.'),
      ],
    },
    parallelism: 1,
    dag: {
      tasks: [
        {
          name: 'annotate',
          templateRef: ref(CWT.applyAndWait, T.applyAndWait.patch),
          arguments: {
            parameters: [
              {
                name: 'manifest',
                value: templatePatch(input('statefulset'), {
                  metadata: { annotations: { 'mwop.dev/restarted-at': input('restarted-at') } },
                }),
              },
            ],
          },
        },
        {
          name: 'roll',
          depends: 'annotate',
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
    'Restarts the members of a StatefulSet (updateStrategy OnDelete) one at a time, highest ordinal first; each must be ready and pass /health before the next.',
    T.rollingRestart.rollingRestart,
    [rollingRestart, rollMember, deleteMember, memberUpdated],
  );
}
