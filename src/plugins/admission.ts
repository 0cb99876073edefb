// Admission of MiddlewareType objects (deploy/operator/webhook.yaml: /validate/middlewaretypes).
// The CRD already refuses edits of published versions with its CEL rule; this validator says
// which field of which version changed, and refuses a type that is not usable (CUE that does not
// compile, a preset that breaks its own schema, a dangling upgradeFrom) before any instance
// trips over it.
import {
  formatFieldError,
  type MiddlewareType,
  MiddlewareTypeKind,
  validateAgainstSchema,
} from '../api/index.ts';
import { checkMiddlewareType } from '../config/index.ts';
import { type AdmissionRequest, allow, deny, type Validator, type Verdict } from '../webhook/admission.ts';
import { diffPublishedVersions } from './versions.ts';

export function middlewareTypeValidator(): Validator {
  return async (req: AdmissionRequest): Promise<Verdict> => {
    if ((req.operation !== 'CREATE' && req.operation !== 'UPDATE') || !req.object) return allow();
    const type = req.object as unknown as MiddlewareType;
    const schema = validateAgainstSchema(MiddlewareTypeKind, type).map(formatFieldError);
    if (schema.length > 0) return deny(schema);
    const problems: string[] = [];
    if (req.operation === 'UPDATE' && req.oldObject) {
      const old = req.oldObject as unknown as MiddlewareType;
      // Metadata and status updates leave the spec alone.
      if (JSON.stringify(old.spec) === JSON.stringify(type.spec)) return allow();
      problems.push(...diffPublishedVersions(old, type).violations);
    }
    problems.push(...(await checkMiddlewareType(type)));
    return problems.length > 0 ? deny(problems) : allow();
  };
}
