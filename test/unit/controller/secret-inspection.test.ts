import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKeyPair, Ipv4RangeSet, LeafSigner, type CaMaterial } from '../../../src/ca/index.js';
import { checkCertificateSpec } from '../../../src/controller/certificate-request/certificate-spec.js';
import { inspectSecret, type ExpectedCa } from '../../../src/controller/certificate-request/secret-inspection.js';
import { buildSecret, metadataDrifted, secretMetadataFor } from '../../../src/controller/certificate-request/secret-manifest.js';
import type { Secret } from '../../../src/kube/core-types.js';
import type { CertificateRequest } from '../../../src/custom-resources/crd-types.js';
import { testCa } from '../../support/test-ca.js';
import { certificateRequest, stored, withIps, withSecretLabels } from '../../support/builders.js';

const RANGES = Ipv4RangeSet.parse('10.0.0.0/8');

function material(): CaMaterial {
  return testCa({ allowedRanges: RANGES });
}

const ca = material();
const other = material();
const expected = (from: CaMaterial): ExpectedCa => ({ signerPublicKey: new X509Certificate(from.signerCertificatePem).publicKey, chainPem: from.chainPem, rootPem: from.rootPem });

const cr: CertificateRequest = certificateRequest('web', withIps('10.0.0.7'), withSecretLabels({ team: 'a' }), stored('uid-1'));
const check = checkCertificateSpec(cr.spec as never);
if (!check.ok) throw new Error(check.message);
const desired = check.desired;

function issuedSecret(from: CaMaterial = ca): Secret {
  const key = generateKeyPair('ecdsa-p256');
  const issued = new LeafSigner(from).issue({ subject: { spki: key.spki, key: { kind: 'ec', curve: 'P-256' } }, ips: ['10.0.0.7'], type: 'webhook' });
  return buildSecret(cr, desired, { chainPem: issued.chainPem, rootPem: from.rootPem, keyPem: key.privateKeyPem, serialNumber: issued.serialNumber, notBefore: issued.notBefore, notAfter: issued.notAfter, ips: issued.ips, revision: 3, issuerId: 'operator' });
}

function withData(secret: Secret, key: string, value: string): Secret {
  return { ...secret, data: { ...secret.data, [key]: Buffer.from(value).toString('base64') } };
}

describe('inspectSecret', () => {
  it('accepts the Secret it built, and reads back serial, IPs, revision and key algorithm', () => {
    const secret = issuedSecret();
    const inspection = inspectSecret(secret, cr, expected(ca));
    expect(inspection.kind).toBe('valid');
    if (inspection.kind !== 'valid') return;
    expect(inspection.certificate).toMatchObject({ ips: ['10.0.0.7'], revision: 3, keyAlgorithm: 'ecdsa-p256', specHash: desired.specHash });
    expect(inspection.certificate.serialNumber).toBe(secret.metadata.annotations?.['ca.sms-gate.app/serial-number']);
  });

  it('treats a missing Secret as absent and a Secret owned by anyone else as foreign', () => {
    expect(inspectSecret(undefined, cr, expected(ca)).kind).toBe('absent');
    const secret = issuedSecret();
    expect(inspectSecret({ ...secret, metadata: { ...secret.metadata, ownerReferences: [] } }, cr, expected(ca)).kind).toBe('foreign');
    expect(inspectSecret(secret, { ...cr, metadata: { ...cr.metadata, uid: 'recreated' } }, expected(ca)).kind).toBe('foreign');
  });

  it('detects tampering, keeping the old key for rotationPolicy Never', () => {
    const secret = issuedSecret();
    const cases: Array<[string, Secret]> = [
      ['foreign key', withData(secret, 'tls.key', generateKeyPair('ecdsa-p256').privateKeyPem)],
      ['other root', withData(secret, 'ca.crt', other.rootPem)],
      ['leaf only', withData(secret, 'tls.crt', Buffer.from(secret.data!['tls.crt']!, 'base64').toString().split('-----END CERTIFICATE-----')[0] + '-----END CERTIFICATE-----\n')],
      ['serial annotation', { ...secret, metadata: { ...secret.metadata, annotations: { ...secret.metadata.annotations, 'ca.sms-gate.app/serial-number': '01' } } }],
      ['type', { ...secret, type: 'Opaque' }],
      ['no key', { ...secret, data: { 'tls.crt': secret.data!['tls.crt']!, 'ca.crt': secret.data!['ca.crt']! } }],
    ];
    for (const [what, tampered] of cases) expect(inspectSecret(tampered, cr, expected(ca)).kind, what).toBe('invalid');
    const rekeyed = inspectSecret(cases[0]![1], cr, expected(ca));
    expect(rekeyed.kind === 'invalid' && rekeyed.keyAlgorithm).toBe('ecdsa-p256');
  });

  it('sees a certificate from another CA as invalid (the CA changed: re-issue)', () => {
    const fromOther = issuedSecret(other);
    expect(inspectSecret(fromOther, cr, expected(ca)).kind).toBe('invalid');
  });
});

describe('Secret manifest', () => {
  it('is a kubernetes.io/tls Secret owned by the request, with template labels and our annotations', () => {
    const secret = issuedSecret();
    expect(secret.type).toBe('kubernetes.io/tls');
    expect(secret.metadata.ownerReferences).toEqual([{ apiVersion: cr.apiVersion, kind: 'CertificateRequest', name: 'web', uid: 'uid-1', controller: true, blockOwnerDeletion: true }]);
    expect(secret.metadata.labels).toMatchObject({ team: 'a', 'ca.sms-gate.app/managed': 'true' });
    expect(Object.keys(secret.data ?? {}).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    const wanted = secretMetadataFor(cr, desired, { serialNumber: '01', notBefore: new Date(0), notAfter: new Date(0), ips: ['10.0.0.7'], revision: 1, issuerId: 'operator' });
    expect(metadataDrifted({ ...secret, metadata: { ...secret.metadata, labels: {} } }, wanted)).toBe(true);
  });
});
