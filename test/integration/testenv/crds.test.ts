// Every CRD in crds/ applies to the real apiserver (server-side apply), becomes Established, and
// `kubectl explain` (the kubectl built by hack/testenv) prints the descriptions from our schemas.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadYaml, PatchStrategy, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { clients, eventually, kubectl } from '../support/cluster.ts';

const crdDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../crds');
const files = readdirSync(crdDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
// loadYaml builds the typed model: client-node serializes by model attributes, so a plain object
// would silently lose keys such as x-kubernetes-int-or-string on the way to the apiserver.
const crds = files.map((f) => loadYaml<V1CustomResourceDefinition>(readFileSync(join(crdDir, f), 'utf8')));

/** Collapses whitespace, so text that kubectl wrapped compares equal to the schema's. */
const flat = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('the CRDs in crds/', () => {
  it('are the five kinds of the mwop.dev API', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
    expect(crds.map((c) => c.spec.names.kind).sort()).toEqual(
      expect.arrayContaining([
        'BackupStorage',
        'MiddlewareBackup',
        'MiddlewareInstance',
        'MiddlewareOperation',
        'MiddlewareType',
      ]),
    );
  });

  it.each(files)('%s applies by server-side apply and becomes Established', async (file) => {
    const crd = crds[files.indexOf(file)] as V1CustomResourceDefinition;
    const { objects, apiext } = clients('admin');
    await objects.patch(crd, undefined, undefined, 'mwop-testenv-test', true, PatchStrategy.ServerSideApply);
    const established = await eventually(`${crd.metadata?.name} Established`, async () => {
      const live = await apiext.readCustomResourceDefinition({ name: crd.metadata?.name as string });
      return live.status?.conditions?.find((c) => c.type === 'Established' && c.status === 'True');
    });
    expect(established.reason).toBe('InitialNamesAccepted');
  });

  it('kubectl explain middlewareinstance.spec prints our descriptions', async () => {
    const mwi = crds.find((c) => c.spec.names.kind === 'MiddlewareInstance');
    if (!mwi) throw new Error(`no MiddlewareInstance CRD in ${crdDir}`);
    const spec = mwi.spec.versions[0]?.schema?.openAPIV3Schema?.properties?.spec;
    const fields = Object.entries(spec?.properties ?? {});
    expect(spec?.description).toBeTruthy();
    expect(fields.length).toBeGreaterThan(3);
    await clients('admin').objects.patch(
      mwi,
      undefined,
      undefined,
      'mwop-testenv-test',
      true,
      PatchStrategy.ServerSideApply,
    );
    // The OpenAPI document is republished shortly after a CRD is Established: poll until it is.
    const out = await eventually('kubectl explain middlewareinstance.spec', async () => {
      const r = await kubectl('admin', ['explain', 'middlewareinstance.spec']);
      return r.code === 0 && flat(r.stdout).includes(flat(spec?.description ?? '')) ? r.stdout : undefined;
    });
    expect(out).toMatch(/KIND:\s+MiddlewareInstance/);
    expect(out).toMatch(/VERSION:\s+v1alpha1/);
    for (const [name, field] of fields) {
      expect(out).toContain(name);
      if (field.description) expect(flat(out)).toContain(flat(field.description));
    }
  });
});
