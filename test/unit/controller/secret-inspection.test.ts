import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKeyPair, Ipv4RangeSet, LeafSigner, type CaMaterial } from '../../../src/ca/index.js';
import { checkCertificateSpec } from '../../../src/controller/certificate-request/certificate-spec.js';
import type { ClaimContext } from '../../../src/controller/certificate-request/secret-claim.js';
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

/** No other request exists; the request asks for 10.0.0.7. */
const CLAIM: ClaimContext = { ips: ['10.0.0.7'], requestExists: () => false };

function issuedSecret(from: CaMaterial = ca, ownerReference = true, ips: readonly string[] = ['10.0.0.7']): Secret {
  const key = generateKeyPair('ecdsa-p256');
  const issued = new LeafSigner(from).issue({ subject: { spki: key.spki, key: { kind: 'ec', curve: 'P-256' } }, ips, type: 'webhook' });
  return buildSecret(cr, desired, { chainPem: issued.chainPem, rootPem: from.rootPem, keyPem: key.privateKeyPem, serialNumber: issued.serialNumber, notBefore: issued.notBefore, notAfter: issued.notAfter, ips: issued.ips, revision: 3, issuerId: 'operator' }, ownerReference);
}

/** A Secret as cert-manager writes it for a Certificate: its annotations, no owner reference, no label of ours. */
function certManagerSecret(ips: readonly string[]): Secret {
  const secret = issuedSecret(other, false, ips);
  return {
    ...secret,
    metadata: {
      name: secret.metadata.name,
      namespace: secret.metadata.namespace,
      labels: { 'controller.cert-manager.io/fao': 'true' },
      annotations: { 'cert-manager.io/certificate-name': 'web', 'cert-manager.io/issuer-name': 'ca-issuer', 'cert-manager.io/ip-sans': ips.join(','), team: 'kept' },
    },
  };
}

function withData(secret: Secret, key: string, value: string): Secret {
  return { ...secret, data: { ...secret.data, [key]: Buffer.from(value).toString('base64') } };
}

describe('inspectSecret', () => {
  it('accepts the Secret it built, and reads back serial, IPs, revision and key algorithm', () => {
    const secret = issuedSecret();
    const inspection = inspectSecret(secret, cr, expected(ca), CLAIM);
    expect(inspection.kind).toBe('valid');
    if (inspection.kind !== 'valid') return;
    expect(inspection.certificate).toMatchObject({ ips: ['10.0.0.7'], revision: 3, keyAlgorithm: 'ecdsa-p256', specHash: desired.specHash });
    expect(inspection.certificate.serialNumber).toBe(secret.metadata.annotations?.['ca.sms-gate.app/serial-number']);
  });

  it('treats a missing Secret as absent; whose a Secret is comes from its controller reference, else from our label and request name', () => {
    expect(inspectSecret(undefined, cr, expected(ca), CLAIM).kind).toBe('absent');
    const secret = issuedSecret();
    // Without owner references (the default), our label and this request's name make it ours.
    expect(inspectSecret(issuedSecret(ca, false), cr, expected(ca), CLAIM).kind).toBe('valid');
    // Recreated under the same name: the Secret that outlived the old request is the new one's.
    expect(inspectSecret(issuedSecret(ca, false), { ...cr, metadata: { ...cr.metadata, uid: 'recreated' } }, expected(ca), CLAIM).kind).toBe('valid');
    // A controller reference to anything else wins.
    const foreignRef = inspectSecret(secret, { ...cr, metadata: { ...cr.metadata, uid: 'recreated' } }, expected(ca), CLAIM);
    expect(foreignRef).toMatchObject({ kind: 'foreign', message: expect.stringContaining('controlled by CertificateRequest web') });
    const unlabelled = { ...secret, metadata: { ...secret.metadata, ownerReferences: [], labels: {} } };
    expect(inspectSecret(unlabelled, cr, expected(ca), CLAIM)).toMatchObject({ kind: 'foreign', message: expect.stringContaining('not written by smsgate-ca or cert-manager') });
  });

  it('a Secret of ours written for another request: foreign while that request exists, adoptable once it is gone', () => {
    const secret = issuedSecret(ca, false);
    const forOther = { ...secret, metadata: { ...secret.metadata, annotations: { ...secret.metadata.annotations, 'ca.sms-gate.app/certificate-request': 'old-web' } } };
    expect(inspectSecret(forOther, cr, expected(ca), { ...CLAIM, requestExists: (name) => name === 'old-web' })).toMatchObject({ kind: 'foreign', message: expect.stringContaining('belongs to CertificateRequest old-web') });
    expect(inspectSecret(forOther, cr, expected(ca), CLAIM)).toMatchObject({ kind: 'invalid', adoptedFrom: 'CertificateRequest old-web, which no longer exists', revision: 0, keyAlgorithm: 'ecdsa-p256' });
  });

  it("cert-manager's kubernetes.io/tls Secret for the same IPs is adoptable (key kept for reuse); other IPs or another type are not", () => {
    const same = certManagerSecret(['10.0.0.7']);
    expect(inspectSecret(same, cr, expected(ca), CLAIM)).toMatchObject({ kind: 'invalid', adoptedFrom: 'cert-manager Certificate web', keyAlgorithm: 'ecdsa-p256' });
    expect(inspectSecret(certManagerSecret(['10.0.0.7', '10.0.0.8']), cr, expected(ca), CLAIM)).toMatchObject({ kind: 'foreign', message: expect.stringContaining('for IPs [10.0.0.7, 10.0.0.8], not [10.0.0.7]') });
    expect(inspectSecret({ ...same, type: 'Opaque' }, cr, expected(ca), CLAIM).kind).toBe('foreign');
    const ownedByCertificate = { ...same, metadata: { ...same.metadata, ownerReferences: [{ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', name: 'web', uid: 'c1', controller: true }] } };
    expect(inspectSecret(ownedByCertificate, cr, expected(ca), CLAIM)).toMatchObject({ kind: 'foreign', message: expect.stringContaining('controlled by Certificate web') });
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
    for (const [what, tampered] of cases) expect(inspectSecret(tampered, cr, expected(ca), CLAIM).kind, what).toBe('invalid');
    const rekeyed = inspectSecret(cases[0]![1], cr, expected(ca), CLAIM);
    expect(rekeyed.kind === 'invalid' && rekeyed.keyAlgorithm).toBe('ecdsa-p256');
  });

  it('sees a certificate from another CA as invalid (the CA changed: re-issue)', () => {
    const fromOther = issuedSecret(other);
    expect(inspectSecret(fromOther, cr, expected(ca), CLAIM).kind).toBe('invalid');
  });
});

describe('Secret manifest', () => {
  it('is a kubernetes.io/tls Secret with template labels and our annotations; owned by the request only when asked', () => {
    const secret = issuedSecret();
    expect(secret.type).toBe('kubernetes.io/tls');
    expect(secret.metadata.ownerReferences).toEqual([{ apiVersion: cr.apiVersion, kind: 'CertificateRequest', name: 'web', uid: 'uid-1', controller: true, blockOwnerDeletion: true }]);
    expect(issuedSecret(ca, false).metadata.ownerReferences).toBeUndefined();
    expect(secret.metadata.labels).toMatchObject({ team: 'a', 'ca.sms-gate.app/managed': 'true' });
    expect(Object.keys(secret.data ?? {}).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    const wanted = secretMetadataFor(cr, desired, { serialNumber: '01', notBefore: new Date(0), notAfter: new Date(0), ips: ['10.0.0.7'], revision: 1, issuerId: 'operator' });
    expect(metadataDrifted({ ...secret, metadata: { ...secret.metadata, labels: {} } }, wanted)).toBe(true);
  });

  it("writing over an adopted Secret drops cert-manager's annotations and our old controller reference, and keeps the rest", () => {
    const adopted = certManagerSecret(['10.0.0.7']);
    const content = { chainPem: '', rootPem: '', keyPem: '', serialNumber: '0a', notBefore: new Date(0), notAfter: new Date(0), ips: ['10.0.0.7'], revision: 1, issuerId: 'operator' };
    const written = buildSecret(cr, desired, content, false, adopted);
    expect(Object.keys(written.metadata.annotations ?? {}).filter((key) => key.startsWith('cert-manager.io/'))).toEqual([]);
    expect(written.metadata.annotations).toMatchObject({ team: 'kept', 'ca.sms-gate.app/certificate-request': 'web' });
    expect(written.metadata.labels).toMatchObject({ 'controller.cert-manager.io/fao': 'true', 'ca.sms-gate.app/managed': 'true' });
    expect(buildSecret(cr, desired, content, false, issuedSecret()).metadata.ownerReferences).toBeUndefined();
  });
});
