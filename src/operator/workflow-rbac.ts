// The ServiceAccount, Role, RoleBinding and token Secret that workflow pods need, applied in a namespace the
// first time a workflow runs there (Kratix #192: nobody should copy these by hand).

import { serverSideApply } from '../kube/apply.ts';
import type { KubeRest } from '../kube/rest.ts';
import { renderWorkflowRbac } from '../workflows/index.ts';

export class WorkflowRbacEnsurer {
  private readonly done = new Map<string, Promise<void>>();
  private readonly rest: KubeRest;

  constructor(rest: KubeRest) {
    this.rest = rest;
  }

  ensure(namespace: string): Promise<void> {
    let p = this.done.get(namespace);
    if (!p) {
      const rbac = renderWorkflowRbac(namespace);
      p = (async () => {
        for (const obj of [rbac.serviceAccount, rbac.role, rbac.roleBinding, rbac.tokenSecret])
          await serverSideApply(this.rest, obj as never);
      })();
      p.catch(() => this.done.delete(namespace)); // retry on the next operation
      this.done.set(namespace, p);
    }
    return p;
  }
}
