// FR-036: a cert-manager Certificate for the client and member names. Without cert-manager, or
// without an issuer, nothing is rendered and a condition says what is missing.
import type { KubernetesObject, V1ObjectMeta } from '@kubernetes/client-node';
import type { MiddlewareInstance } from '../api/index.ts';
import type { ResolvedPlugin } from '../plugins/types.ts';
import { childMeta, names } from './meta.ts';
import type { RenderCondition, RenderOptions } from './types.ts';

export const TLS_CONDITION = 'TLSReady';

export interface Certificate extends KubernetesObject {
  apiVersion: 'cert-manager.io/v1';
  kind: 'Certificate';
  metadata: V1ObjectMeta;
  spec: {
    secretName: string;
    dnsNames: string[];
    issuerRef: { name: string; kind: string; group: 'cert-manager.io' };
    usages: string[];
  };
}

export function renderCertificate(
  instance: MiddlewareInstance,
  plugin: ResolvedPlugin,
  options: RenderOptions,
): { certificate?: Certificate; condition?: RenderCondition } {
  const tls = instance.spec.tls;
  if (!tls?.enabled) return {};
  if (!options.certManager)
    return {
      condition: {
        type: TLS_CONDITION,
        status: 'False',
        reason: 'CertManagerNotInstalled',
        message:
          'spec.tls.enabled is true, but cert-manager is not installed (no certificates.cert-manager.io CRD); install cert-manager or set spec.tls.enabled to false',
      },
    };
  if (!tls.issuerRef)
    return {
      condition: {
        type: TLS_CONDITION,
        status: 'False',
        reason: 'IssuerNotSet',
        message:
          'spec.tls.issuerRef: not set; name the cert-manager Issuer (same namespace) or ClusterIssuer that signs the certificate',
      },
    };
  const n = names(instance);
  const ns = instance.metadata.namespace!;
  const domain = options.clusterDomain ?? 'cluster.local';
  const dnsNames = [
    n.clientService,
    `${n.clientService}.${ns}`,
    `${n.clientService}.${ns}.svc`,
    `${n.clientService}.${ns}.svc.${domain}`,
    `*.${n.headlessService}.${ns}.svc`,
    `*.${n.headlessService}.${ns}.svc.${domain}`,
  ];
  return {
    certificate: {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: childMeta(instance, plugin.typeName, 'tls', n.certificate),
      spec: {
        secretName: n.tlsSecret,
        dnsNames,
        issuerRef: {
          name: tls.issuerRef.name,
          kind: tls.issuerRef.kind ?? 'Issuer',
          group: 'cert-manager.io',
        },
        // Members are servers to clients and clients of each other (replication).
        usages: ['server auth', 'client auth', 'digital signature', 'key encipherment'],
      },
    },
    condition: {
      type: TLS_CONDITION,
      status: 'Unknown',
      reason: 'CertificateRequested',
      message: `Certificate ${n.certificate} is rendered; cert-manager writes Secret ${n.tlsSecret}`,
    },
  };
}
