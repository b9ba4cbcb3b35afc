import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSchemaRules } from '../../support/fake-apiserver/cel/crd-rule-checks.js';
import type { JsonObject } from '../../support/fake-apiserver/index.js';
import { CERT_MANAGER_CRD_FILES, SHARED_CERT_MANAGER_FIXTURES } from './cert-manager-crds.js';
import { startAdmissionCluster, yamlDocuments } from './crd-admission.js';
import type { AdmissionCluster } from './crd-admission.js';

describe('cert-manager CRDs in test/fixtures/cert-manager/', () => {
  it.runIf(existsSync(SHARED_CERT_MANAGER_FIXTURES))('are byte-identical to ../shared/fixtures/cert-manager/', () => {
    const shared = readdirSync(SHARED_CERT_MANAGER_FIXTURES).filter((name) => name.endsWith('.yaml')).sort();
    expect(CERT_MANAGER_CRD_FILES.map((file) => basename(file))).toEqual(shared);
    for (const file of CERT_MANAGER_CRD_FILES) expect(readFileSync(file).equals(readFileSync(join(SHARED_CERT_MANAGER_FIXTURES, basename(file)))), file).toBe(true);
  });

  it('have rules that compile and stay inside the API server\'s cost limits', () => {
    let rules = 0;
    for (const file of CERT_MANAGER_CRD_FILES) {
      for (const crd of yamlDocuments(file)) {
        const versions = (crd['spec'] as { versions: { schema: { openAPIV3Schema: JsonObject } }[] }).versions;
        versions.forEach((version, i) => {
          const report = checkSchemaRules(version.schema.openAPIV3Schema, `spec.versions[${i}].schema.openAPIV3Schema`);
          expect(report.errors, file).toEqual([]);
          rules += report.costs.length;
        });
      }
    }
    expect(rules).toBe(2);
  });

  describe('installed in the API-server double', () => {
    let cluster: AdmissionCluster;
    beforeAll(async () => {
      cluster = await startAdmissionCluster(CERT_MANAGER_CRD_FILES);
    });
    afterAll(async () => {
      await cluster?.close();
    });

    const venafi = (config: object): object => ({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Issuer',
      metadata: { name: 'venafi', namespace: 'default' },
      spec: { venafi: { zone: 'devops\\cert-manager', ...config } },
    });
    const tpp = { url: 'https://tpp.example/vedsdk', credentialsRef: { name: 'tpp-secret' } };
    const cloud = { apiTokenSecretRef: { name: 'cloud-secret', key: 'apikey' } };

    it('evaluate cert-manager\'s CEL rule: a Venafi issuer with one backend is admitted', () => {
      expect(cluster.admit(venafi({ tpp })).errors).toEqual([]);
    });

    it('evaluate cert-manager\'s CEL rule: two backends are refused with its message', () => {
      expect(cluster.admit(venafi({ tpp, cloud })).errors).toEqual(['spec.venafi: Invalid value: exactly one of tpp, cloud, or ngts must be configured']);
    });

    it('check format: byte — a CertificateRequest whose request is not base64 is refused', () => {
      const request = { apiVersion: 'cert-manager.io/v1', kind: 'CertificateRequest', metadata: { name: 'cr', namespace: 'default' }, spec: { issuerRef: { name: 'x' }, request: 'not base64!' } };
      expect(cluster.admit(request).errors).toEqual(['spec.request: Invalid value: "not base64!": spec.request in body must be of type byte: "not base64!"']);
      const valid = { ...request, spec: { ...request.spec, request: Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\n').toString('base64') } };
      expect(cluster.admit(valid).errors).toEqual([]);
    });
  });
});
