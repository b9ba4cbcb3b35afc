import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_GROUP,
  API_VERSION,
  CERTIFICATE_REQUEST_DEFAULTS,
  CERTIFICATE_REQUEST_KIND,
  CERTIFICATE_REQUEST_PLURAL,
  CERTIFICATE_TYPES,
  CERTIFICATE_USAGES,
  CONDITION_STATUSES,
  GROUP_VERSION,
  IP_CLUSTER_ISSUER_KIND,
  IP_CLUSTER_ISSUER_PLURAL,
  IP_ISSUER_KIND,
  IP_ISSUER_PLURAL,
  ISSUER_KINDS,
  MAX_DURATION,
  PRIVATE_KEY_ALGORITHMS,
  PRIVATE_KEY_SIZES,
  ROTATION_POLICIES,
  isCsrSpec,
} from '../../../src/custom-resources/crd-types.js';
import { startAdmissionCluster } from './crd-admission.js';
import type { AdmissionCluster } from './crd-admission.js';
import { crdOf, nodeAt, schemaOf } from './crd-documents.js';

const spec = (path: string[]) => nodeAt(schemaOf('CertificateRequest'), ['spec', ...path]);

describe('src/kube/crd-types.ts matches crds/', () => {
  it('names the group, version, kinds and plurals of the CRDs', () => {
    expect(GROUP_VERSION).toBe(`${API_GROUP}/${API_VERSION}`);
    for (const [kind, plural] of [
      [CERTIFICATE_REQUEST_KIND, CERTIFICATE_REQUEST_PLURAL],
      [IP_ISSUER_KIND, IP_ISSUER_PLURAL],
      [IP_CLUSTER_ISSUER_KIND, IP_CLUSTER_ISSUER_PLURAL],
    ] as const) {
      const crd = crdOf(kind);
      expect(crd.spec.group).toBe(API_GROUP);
      expect(crd.spec.names.plural).toBe(plural);
      expect(crd.spec.versions.map((version) => version.name)).toEqual([API_VERSION]);
    }
  });

  it('lists the enums of the CertificateRequest spec', () => {
    expect(spec(['type'])?.enum).toEqual([...CERTIFICATE_TYPES]);
    expect(spec(['privateKey', 'algorithm'])?.enum).toEqual([...PRIVATE_KEY_ALGORITHMS]);
    expect(spec(['privateKey', 'rotationPolicy'])?.enum).toEqual([...ROTATION_POLICIES]);
    expect(spec(['privateKey', 'size'])?.enum).toEqual([...PRIVATE_KEY_SIZES.ECDSA, ...PRIVATE_KEY_SIZES.RSA]);
    expect(spec(['issuerRef', 'kind'])?.enum).toEqual([...ISSUER_KINDS]);
    expect(spec(['issuerRef', 'group'])?.enum).toEqual([API_GROUP]);
    expect(spec(['usages'])?.maxItems).toBe(CERTIFICATE_USAGES.length);
    expect(spec(['usages'])?.items?.enum).toEqual([...CERTIFICATE_USAGES]);
    expect(nodeAt(schemaOf('CertificateRequest'), ['status', 'conditions', 'status'])?.enum).toEqual([...CONDITION_STATUSES]);
  });

  it('carries the CRD defaults', () => {
    expect(spec(['type'])?.default).toBe(CERTIFICATE_REQUEST_DEFAULTS.type);
    expect(spec(['duration'])?.default).toBe(CERTIFICATE_REQUEST_DEFAULTS.duration);
    expect(spec(['privateKey', 'algorithm'])?.default).toBe(CERTIFICATE_REQUEST_DEFAULTS.privateKey.algorithm);
    expect(spec(['privateKey', 'rotationPolicy'])?.default).toBe(CERTIFICATE_REQUEST_DEFAULTS.privateKey.rotationPolicy);
    expect(spec(['issuerRef', 'kind'])?.default).toBe(CERTIFICATE_REQUEST_DEFAULTS.issuerRef.kind);
    expect(spec(['issuerRef', 'group'])?.default).toBe(CERTIFICATE_REQUEST_DEFAULTS.issuerRef.group);
  });

  describe('key sizes', () => {
    let cluster: AdmissionCluster;
    beforeAll(async () => {
      cluster = await startAdmissionCluster();
    });
    afterAll(async () => {
      await cluster?.close();
    });

    it('pairs key sizes with algorithms the way the CRD rule does', () => {
      for (const algorithm of PRIVATE_KEY_ALGORITHMS) {
        for (const size of [...PRIVATE_KEY_SIZES.ECDSA, ...PRIVATE_KEY_SIZES.RSA]) {
          const allowed = (PRIVATE_KEY_SIZES[algorithm] as readonly number[]).includes(size);
          const request = {
            apiVersion: GROUP_VERSION,
            kind: CERTIFICATE_REQUEST_KIND,
            metadata: { name: 'keys', namespace: 'default' },
            spec: { ipAddresses: ['10.0.0.1'], secretName: 'keys-tls', privateKey: { algorithm, size } },
          };
          expect(cluster.admit(request).errors.length === 0, `${algorithm} ${size}`).toBe(allowed);
        }
      }
    });
  });

  it('uses the CRD maximum duration', () => {
    const rules = spec(['duration'])?.['x-kubernetes-validations']?.map((item) => item.rule) ?? [];
    expect(rules).toContain(`duration(self) <= duration('${MAX_DURATION}')`);
  });

  it('tells CSR-mode specs from Secret-mode specs', () => {
    expect(isCsrSpec({ request: '-----BEGIN CERTIFICATE REQUEST-----' })).toBe(true);
    expect(isCsrSpec({ ipAddresses: ['10.0.0.1'], secretName: 'x' })).toBe(false);
  });
});
