// How a test marks simulated workflow steps to fail or to hang: an annotation on the namespace,
//   sim.mwop.dev/steps: '[{"step":"pre-check","outcome":"fail","message":"replica lag 30s"}]'
// A rule applies to every workflow step (pod or HTTP call) in that namespace whose step name
// matches: the last segment of Argo's node name, without a retry or loop suffix ("pre-check(1)"
// and "roll(0:2)" are "pre-check" and "roll"); "prefix*" matches by prefix. Optionally "workflow"
// narrows it to workflows whose name contains that text. The first matching rule wins.
//   fail  the step fails with the message (HTTP steps: as the agent reports a failed call)
//   hang  the step never finishes (for cancel and deadline tests)
// Pure: parsing and matching only.

export const ANNOTATION_STEPS = 'sim.mwop.dev/steps';

export interface StepRule {
  step: string;
  outcome: 'fail' | 'hang';
  message?: string;
  workflow?: string;
}

export type StepOutcome = { kind: 'run' } | { kind: 'fail'; message: string } | { kind: 'hang' };

/** Parses the annotation; a malformed one throws with the reason (the executor logs it loudly). */
export function parseRules(annotation: string | undefined): StepRule[] {
  if (!annotation) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(annotation);
  } catch (err) {
    throw new Error(`${ANNOTATION_STEPS}: not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new Error(`${ANNOTATION_STEPS}: expected a JSON array of rules`);
  return raw.map((r, i) => {
    const rule = r as Partial<StepRule>;
    if (typeof rule.step !== 'string' || rule.step === '') {
      throw new Error(
        `${ANNOTATION_STEPS}[${i}].step: expected a step name (got ${JSON.stringify(rule.step)})`,
      );
    }
    if (rule.outcome !== 'fail' && rule.outcome !== 'hang') {
      throw new Error(
        `${ANNOTATION_STEPS}[${i}].outcome: expected fail or hang (got ${JSON.stringify(rule.outcome)})`,
      );
    }
    return {
      step: rule.step,
      outcome: rule.outcome,
      ...(typeof rule.message === 'string' ? { message: rule.message } : {}),
      ...(typeof rule.workflow === 'string' ? { workflow: rule.workflow } : {}),
    };
  });
}

/** "wf.roll(0:2).restart(1)" -> "restart"; "wf" -> "wf". */
export function stepName(nodeName: string): string {
  const last = nodeName.split('.').pop() ?? nodeName;
  return last.replace(/\([^)]*\)$/, '');
}

export function outcomeFor(rules: StepRule[], workflow: string, nodeName: string): StepOutcome {
  const step = stepName(nodeName);
  for (const rule of rules) {
    if (rule.workflow && !workflow.includes(rule.workflow)) continue;
    const hit = rule.step.endsWith('*') ? step.startsWith(rule.step.slice(0, -1)) : step === rule.step;
    if (!hit) continue;
    if (rule.outcome === 'hang') return { kind: 'hang' };
    return { kind: 'fail', message: rule.message ?? `step ${step} failed (${ANNOTATION_STEPS})` };
  }
  return { kind: 'run' };
}
