// The e2e files run one at a time (two cores; each drives Argo, kwok and the operator) and in
// name order, so that zz-templates-coverage.test.ts runs after every file that records which
// workflow templates its workflows ran.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export class NameOrderSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}
