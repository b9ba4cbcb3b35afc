import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSchemaRules } from '../../support/fake-apiserver/cel/crd-rule-checks.js';
import type { JsonObject } from '../../support/fake-apiserver/index.js';
import { applyStructuralSchema } from '../../support/fake-apiserver/resources/structural-schema.js';
import { startAdmissionCluster } from './crd-admission.js';
import type { AdmissionCluster } from './crd-admission.js';
import { crdFileNames, crdOf, loadCrds, nodeAt, schemaOf, walkSchema } from './crd-documents.js';
import type { SchemaNode } from './crd-documents.js';

/** The API-server double's schema errors for `value` under `node` (as a property of a wrapper object). */
function validate(node: SchemaNode, value: unknown): string[] {
  const wrapper = { type: 'object', properties: { value: node } } as unknown as JsonObject;
  return applyStructuralSchema({ value } as JsonObject, wrapper).errors.map((error) => `${error.field}: ${error.message}`);
}

const KINDS = {
  CertificateRequest: { plural: 'certificaterequests', scope: 'Namespaced' },
  IPIssuer: { plural: 'ipissuers', scope: 'Namespaced' },
  IPClusterIssuer: { plural: 'ipclusterissuers', scope: 'Cluster' },
} as const;

/** The ACME door's state (docs/adr/0005-acme-state-in-the-cluster.md): records the server writes, checked for their names here. */
const ACME_KINDS = {
  ACMEAccount: { plural: 'acmeaccounts' },
  ACMEOrder: { plural: 'acmeorders' },
  ACMEAuthorization: { plural: 'acmeauthorizations' },
  ACMEReservation: { plural: 'acmereservations' },
} as const;

// Short names cert-manager and trust-manager already claim; ours must not shadow them in kubectl.
const TAKEN_SHORT_NAMES = ['cr', 'crs', 'cert', 'certs', 'ciss', 'iss', 'order', 'orders', 'challenge', 'challenges'];

describe('crds/', () => {
  it('holds exactly one CRD per kind, each in a file named <group>_<plural>.yaml', () => {
    const crds = loadCrds();
    const all = { ...KINDS, ...ACME_KINDS };
    expect([...crds.keys()].sort()).toEqual(Object.keys(all).sort());
    expect(crdFileNames()).toEqual(Object.values(all).map(({ plural }) => `smsgate-ca.sms-gate.app_${plural}.yaml`).sort());
  });

  for (const [kind, expected] of Object.entries(KINDS)) {
    describe(kind, () => {
      const crd = crdOf(kind);

      it('is apiextensions.k8s.io/v1 in group smsgate-ca.sms-gate.app with the right names and scope', () => {
        expect(crd.apiVersion).toBe('apiextensions.k8s.io/v1');
        expect(crd.kind).toBe('CustomResourceDefinition');
        expect(crd.metadata.name).toBe(`${expected.plural}.smsgate-ca.sms-gate.app`);
        expect(crd.spec.group).toBe('smsgate-ca.sms-gate.app');
        expect(crd.spec.scope).toBe(expected.scope);
        expect(crd.spec.names).toMatchObject({
          kind,
          listKind: `${kind}List`,
          plural: expected.plural,
          singular: kind.toLowerCase(),
        });
      });

      it('has short names that do not collide with cert-manager, and the smsgate-ca category', () => {
        const shortNames = crd.spec.names.shortNames ?? [];
        expect(shortNames.length).toBeGreaterThan(0);
        for (const name of shortNames) expect(TAKEN_SHORT_NAMES).not.toContain(name);
        expect(crd.spec.names.categories).toContain('smsgate-ca');
      });

      it('serves and stores only v1alpha1, with the status subresource', () => {
        expect(crd.spec.versions.map((version) => version.name)).toEqual(['v1alpha1']);
        const [version] = crd.spec.versions;
        expect(version).toMatchObject({ served: true, storage: true, subresources: { status: {} } });
      });

      it('has a structural schema: every node typed, no properties beside additionalProperties', () => {
        for (const [path, node] of walkSchema(schemaOf(kind))) {
          expect(node.type, `type at ${path.join('.') || '<root>'}`).toBeDefined();
          expect(node.properties && node.additionalProperties !== undefined, path.join('.')).toBeFalsy();
        }
      });

      it('has defaults and enum values that satisfy their own schema, and patterns that compile', () => {
        let checked = 0;
        for (const [path, node] of walkSchema(schemaOf(kind))) {
          if (node.pattern) expect(() => new RegExp(node.pattern!, 'u')).not.toThrow();
          if (node.default !== undefined) {
            expect(validate(node, node.default), `default at ${path.join('.')}`).toEqual([]);
            checked += 1;
          }
          for (const value of node.enum ?? []) expect(validate({ ...node, enum: undefined }, value), path.join('.')).toEqual([]);
        }
        expect(checked).toBeGreaterThan(0);
      });

      it('has CEL rules that compile in the API server\'s environment, each with a message', () => {
        const schema = schemaOf(kind) as unknown as JsonObject;
        const report = checkSchemaRules(schema, 'spec.versions[0].schema.openAPIV3Schema');
        expect(report.errors).toEqual([]);
        expect(report.costs.length).toBeGreaterThan(0);
        for (const [, node] of walkSchema(schemaOf(kind))) {
          for (const rule of node['x-kubernetes-validations'] ?? []) expect(rule.message, `message for ${rule.rule}`).toBeTruthy();
        }
      });

      it('has printer columns whose JSON paths exist in the schema, and an Age column', () => {
        const columns = crd.spec.versions[0]!.additionalPrinterColumns ?? [];
        for (const column of columns) {
          const path = column.jsonPath.replace(/\[\?.*?\]/g, '').split('.').filter(Boolean);
          if (path[0] === 'metadata') continue;
          expect(nodeAt(schemaOf(kind), path), column.jsonPath).toBeDefined();
        }
        expect(columns.find((column) => column.name === 'Age')).toMatchObject({ type: 'date', jsonPath: '.metadata.creationTimestamp' });
        expect(columns[0]).toMatchObject({ name: 'Ready', jsonPath: '.status.conditions[?(@.type=="Ready")].status' });
      });

      it('has status conditions as a list map keyed by type', () => {
        const conditions = nodeAt(schemaOf(kind), ['status', 'conditions']);
        expect(conditions).toMatchObject({ type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] });
        expect(conditions?.items?.required).toEqual(['type', 'status']);
        expect(conditions?.items?.properties?.status?.enum).toEqual(['True', 'False', 'Unknown']);
      });
    });
  }

  it('shows READY, SECRET, IPS, EXPIRES and AGE for CertificateRequests (kubectl upper-cases names)', () => {
    const columns = crdOf('CertificateRequest').spec.versions[0]!.additionalPrinterColumns ?? [];
    const wide = columns.filter((column) => !column.priority).map((column) => column.name.toUpperCase());
    expect(wide).toEqual(['READY', 'SECRET', 'IPS', 'EXPIRES', 'AGE']);
    expect(columns.find((column) => column.name === 'Expires')?.jsonPath).toBe('.status.notAfter');
  });

  it('gives IPIssuer and IPClusterIssuer the same schema (descriptions aside)', () => {
    const withoutDescriptions = (kind: string): unknown =>
      JSON.parse(JSON.stringify(schemaOf(kind), (key, value: unknown) => (key === 'description' ? undefined : value)));
    expect(withoutDescriptions('IPClusterIssuer')).toEqual(withoutDescriptions('IPIssuer'));
  });

  it('records every status field the controller reports on a CertificateRequest', () => {
    const status = nodeAt(schemaOf('CertificateRequest'), ['status']);
    expect(Object.keys(status?.properties ?? {}).sort()).toEqual(
      [
        'certificate',
        'conditions',
        'lastFailureTime',
        'notAfter',
        'notBefore',
        'observedGeneration',
        'renewalTime',
        'revision',
        'revocationReason',
        'revokedAt',
        'serialNumber',
      ].sort(),
    );
  });

  describe('a recorded revocation is final: set together, never changed or removed', () => {
    let cluster: AdmissionCluster;
    beforeAll(async () => {
      cluster = await startAdmissionCluster();
    });
    afterAll(async () => {
      await cluster?.close();
    });
    const request = (status: object): object => ({
      apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1',
      kind: 'CertificateRequest',
      metadata: { name: 'rec', namespace: 'default' },
      spec: { request: '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n' },
      status,
    });
    const revoked = { serialNumber: '02ab', revokedAt: '2026-06-01T10:00:00Z', revocationReason: 1 };
    const cases: [string, object, object, string | undefined][] = [
      ['records a revocation', revoked, { serialNumber: '02ab' }, undefined],
      ['adds other fields after it', { ...revoked, certificate: 'x' }, revoked, undefined],
      ['removes it', { serialNumber: '02ab' }, revoked, 'status: Invalid value: a revocation is final'],
      ['changes revokedAt', { ...revoked, revokedAt: '2026-06-02T10:00:00Z' }, revoked, 'status: Invalid value: a revocation is final'],
      ['changes the reason', { ...revoked, revocationReason: 4 }, revoked, 'status: Invalid value: a revocation is final'],
      ['sets revokedAt alone', { serialNumber: '02ab', revokedAt: '2026-06-01T10:00:00Z' }, { serialNumber: '02ab' }, 'status: Invalid value: revokedAt and revocationReason are set together'],
    ];
    for (const [what, status, oldStatus, error] of cases) {
      it(`${error === undefined ? 'admits' : 'refuses'} a status write that ${what}`, () => {
        const { errors } = cluster.admitStatus(request(status), oldStatus);
        if (error === undefined) expect(errors).toEqual([]);
        else expect(errors.join('\n')).toContain(error);
      });
    }
  });
});
