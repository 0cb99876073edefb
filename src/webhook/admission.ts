// admission.k8s.io/v1 AdmissionReview shapes and the verdicts validators return.

export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  namespace?: string;
  name?: string;
  object?: Record<string, unknown>;
  oldObject?: Record<string, unknown>;
  dryRun?: boolean;
  userInfo?: { username?: string; groups?: string[] };
}

export type Verdict =
  | { allowed: true; warnings?: string[] }
  | { allowed: false; message: string; code?: number };

export type Validator = (req: AdmissionRequest) => Promise<Verdict> | Verdict;

export const allow = (warnings?: string[]): Verdict =>
  warnings?.length ? { allowed: true, warnings } : { allowed: true };

/** One message listing every problem, each on its own line, so kubectl shows them all at once. */
export function deny(problems: string[], code = 422): Verdict {
  return {
    allowed: false,
    code,
    message:
      problems.length === 1 ? problems[0]! : `${problems.length} problems:\n- ${problems.join('\n- ')}`,
  };
}

export function reviewResponse(uid: string, verdict: Verdict) {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: verdict.allowed
      ? { uid, allowed: true, ...(verdict.warnings ? { warnings: verdict.warnings } : {}) }
      : {
          uid,
          allowed: false,
          status: {
            code: verdict.code ?? 422,
            reason: verdict.code === 403 ? 'Forbidden' : 'Invalid',
            message: verdict.message,
          },
        },
  };
}
