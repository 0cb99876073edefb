// Issue #12: every workflow template the generator produces must run at least once in this suite.
// Each e2e file records, before its namespace goes, which ClusterWorkflowTemplates (and which of
// their templates) its workflows ran (support/e2e.ts); this file runs last (support/sequencer.ts).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { templatesUsedDir } from './support/e2e.ts';

const repoRoot = join(import.meta.dirname, '../..');

function generated(): { name: string; templates: string[] }[] {
  const dir = join(repoRoot, 'workflow-templates');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map(
      (f) =>
        parse(readFileSync(join(dir, f), 'utf8')) as {
          metadata: { name: string };
          spec: { templates: { name: string }[] };
        },
    )
    .map((cwt) => ({ name: cwt.metadata.name, templates: cwt.spec.templates.map((t) => t.name) }));
}

describe('workflow template coverage of the e2e suite', () => {
  it('every generated ClusterWorkflowTemplate ran at least once through the real Argo controller', () => {
    const dir = templatesUsedDir();
    expect(existsSync(dir), `${dir} is missing: run the whole e2e project, not this file alone`).toBe(true);
    const used = new Set(
      readdirSync(dir).flatMap((f) =>
        readFileSync(join(dir, f), 'utf8')
          .split('\n')
          .filter((l) => l !== ''),
      ),
    );
    const cwts = generated();
    const neverRan = cwts
      .filter((c) => !c.templates.some((t) => used.has(`${c.name}/${t}`)))
      .map((c) => c.name);
    expect(neverRan, `never ran: ${neverRan.join(', ')}; ran: ${[...used].sort().join(', ')}`).toEqual([]);
    // What ran inside each, for the record in the test output.
    for (const c of cwts) {
      const ran = c.templates.filter((t) => used.has(`${c.name}/${t}`));
      process.stdout.write(
        `${c.name}: ${ran.length}/${c.templates.length} templates ran (${ran.join(', ')})\n`,
      );
    }
  });
});
