// docs/quickstart.md is a recorded session (hack/quickstart/main.ts). This runs the same session
// again on this e2e cluster and fails when the page no longer matches what the CLI prints, so the
// docs cannot drift (issue #11).
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { PAGE, recordQuickstart } from '../../hack/quickstart/main.ts';
import { normalize, renderPage } from '../../hack/quickstart/transcript.ts';
import { clients, testenv } from '../integration/support/cluster.ts';

afterAll(async () => {
  await clients().core.deleteNamespace({ name: 'demo' });
});

describe('docs/quickstart.md', () => {
  it('matches a fresh run of the quickstart: nothing to a Running Redis with kubectl mw create --wait', async () => {
    const steps = await recordQuickstart(testenv().kubeconfigs.admin);
    const create = steps.find((s) => s.command.includes('--wait'));
    expect(create?.output).toMatch(/cache is Running\./);
    for (const step of ['apply-workload', 'wait-ready', 'init-0', 'publish-connection']) {
      expect(create?.output).toContain(`✓ ${step} Succeeded`);
    }
    expect(steps.find((s) => s.command.startsWith('kubectl mw connect'))?.output).toMatch(/redis-cli/);
    expect(normalize(readFileSync(PAGE, 'utf8'))).toBe(normalize(renderPage(steps)));
  });
});
