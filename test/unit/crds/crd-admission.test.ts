import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CertificateRequest, IPClusterIssuer } from '../../../src/custom-resources/crd-types.js';
import { startAdmissionCluster } from './crd-admission.js';
import type { Admission, AdmissionCluster } from './crd-admission.js';

let cluster: AdmissionCluster;
beforeAll(async () => {
  cluster = await startAdmissionCluster();
});
afterAll(async () => {
  await cluster?.close();
});

function admit(_kind: string, object: object, old?: object): Admission {
  return cluster.admit(object, old);
}

const CSR_PEM = '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n';

function certificateRequest(spec: Record<string, unknown>): CertificateRequest {
  return {
    apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1',
    kind: 'CertificateRequest',
    metadata: { name: 'web', namespace: 'default' },
    spec: spec as unknown as CertificateRequest['spec'],
  };
}

const minimal = certificateRequest({ ipAddresses: ['10.42.0.7'], secretName: 'web-tls' });

describe('CertificateRequest admission (schema, formats and CEL rules in the API-server double)', () => {
  it('accepts the minimal request and fills in type, duration', () => {
    const { errors, stored } = admit('CertificateRequest', minimal);
    expect(errors).toEqual([]);
    expect(stored?.['metadata']).toMatchObject({ generation: 1 });
    expect((stored as unknown as CertificateRequest).spec).toEqual({
      ipAddresses: ['10.42.0.7'],
      secretName: 'web-tls',
      type: 'webhook',
      duration: '8760h',
    });
  });

  it('accepts every field at once and defaults inside privateKey and issuerRef', () => {
    const full = certificateRequest({
      type: 'private_server',
      ipAddresses: ['10.42.0.7', '192.168.1.10'],
      secretName: 'web-tls',
      privateKey: { size: 384 },
      duration: '2160h',
      renewBefore: '360h',
      secretTemplate: { labels: { app: 'web' }, annotations: { team: 'ops' } },
      issuerRef: { name: 'private-ips' },
    });
    const { errors, stored } = admit('CertificateRequest', full);
    expect(errors).toEqual([]);
    expect((stored as unknown as CertificateRequest).spec).toMatchObject({
      privateKey: { algorithm: 'ECDSA', size: 384, rotationPolicy: 'Always' },
      issuerRef: { name: 'private-ips', kind: 'IPIssuer', group: 'smsgate-ca.sms-gate.app' },
    });
  });

  it('accepts a CSR-mode request (the audit record of the REST and ACME doors)', () => {
    const { errors } = admit('CertificateRequest', certificateRequest({ type: 'webhook', request: CSR_PEM }));
    expect(errors).toEqual([]);
  });

  it('takes a public IP syntactically: the controller refuses it with PolicyViolation, not admission', () => {
    expect(admit('CertificateRequest', certificateRequest({ ipAddresses: ['8.8.8.8'], secretName: 'x' })).errors).toEqual([]);
  });

  const rejected: [string, Record<string, unknown>, string][] = [
    ['both ipAddresses and request', { ipAddresses: ['10.0.0.1'], request: CSR_PEM }, 'exactly one of ipAddresses'],
    ['neither ipAddresses nor request', { secretName: 'x' }, 'exactly one of ipAddresses'],
    ['ipAddresses without secretName', { ipAddresses: ['10.0.0.1'] }, 'secretName is required'],
    ['secretName with request', { request: CSR_PEM, secretName: 'x' }, 'apply only with ipAddresses'],
    ['privateKey with request', { request: CSR_PEM, privateKey: { algorithm: 'RSA' } }, 'apply only with ipAddresses'],
    ['a request that is not a PEM CSR', { request: 'MIIB' }, 'must be a PEM CSR'],
    ['duration over a year', { ipAddresses: ['10.0.0.1'], secretName: 'x', duration: '8761h' }, 'at most 8760h'],
    ['duration in days', { ipAddresses: ['10.0.0.1'], secretName: 'x', duration: '365d' }, 'in body should match'],
    ['a zero duration', { ipAddresses: ['10.0.0.1'], secretName: 'x', duration: '0s' }, 'duration must be positive'],
    ['renewBefore equal to duration', { ipAddresses: ['10.0.0.1'], secretName: 'x', duration: '720h', renewBefore: '720h' }, 'renewBefore must be shorter'],
    ['renewBefore longer than the default duration', { ipAddresses: ['10.0.0.1'], secretName: 'x', renewBefore: '9000h' }, 'renewBefore must be shorter'],
    ['an octet over 255', { ipAddresses: ['10.0.0.256'], secretName: 'x' }, 'in body should match'],
    ['a leading zero', { ipAddresses: ['10.0.0.07'], secretName: 'x' }, 'in body should match'],
    ['an IPv6 address', { ipAddresses: ['fd00::1'], secretName: 'x' }, 'in body should match'],
    ['a CIDR instead of an address', { ipAddresses: ['10.0.0.0/8'], secretName: 'x' }, 'in body should match'],
    ['no addresses', { ipAddresses: [], secretName: 'x' }, 'should have at least 1 items'],
    ['a repeated address', { ipAddresses: ['10.0.0.1', '10.0.0.1'], secretName: 'x' }, 'spec.ipAddresses[1]: Duplicate value: "10.0.0.1"'],
    ['an unknown type', { ipAddresses: ['10.0.0.1'], secretName: 'x', type: 'server' }, 'Unsupported value'],
    ['an RSA key of 256 bits', { ipAddresses: ['10.0.0.1'], secretName: 'x', privateKey: { algorithm: 'RSA', size: 256 } }, 'size must be'],
    ['an ECDSA key of 2048 bits', { ipAddresses: ['10.0.0.1'], secretName: 'x', privateKey: { size: 2048 } }, 'size must be'],
    ['a key size given as text', { ipAddresses: ['10.0.0.1'], secretName: 'x', privateKey: { size: '256' } }, 'must be of type integer'],
    ['an unknown rotation policy', { ipAddresses: ['10.0.0.1'], secretName: 'x', privateKey: { rotationPolicy: 'Sometimes' } }, 'Unsupported value'],
    ['an upper-case Secret name', { ipAddresses: ['10.0.0.1'], secretName: 'Web-TLS' }, 'in body should match'],
    ['a non-string label', { ipAddresses: ['10.0.0.1'], secretName: 'x', secretTemplate: { labels: { a: 1 } } }, 'must be of type string'],
    ['a cert-manager issuer kind', { ipAddresses: ['10.0.0.1'], secretName: 'x', issuerRef: { name: 'a', kind: 'ClusterIssuer' } }, 'Unsupported value'],
    ['a foreign issuer group', { ipAddresses: ['10.0.0.1'], secretName: 'x', issuerRef: { name: 'a', group: 'cert-manager.io' } }, 'Unsupported value'],
    ['a misspelt field', { ipAddresses: ['10.0.0.1'], secretName: 'x', ipAddress: ['10.0.0.2'] }, 'unknown field "spec.ipAddress"'],
  ];
  for (const [what, spec, message] of rejected) {
    it(`rejects ${what}`, () => {
      const { errors } = admit('CertificateRequest', certificateRequest(spec));
      expect(errors.join('\n')).toContain(message);
    });
  }

  it('rejects a CertificateRequest without spec', () => {
    const { errors } = admit('CertificateRequest', { apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1', kind: 'CertificateRequest', metadata: { name: 'bare', namespace: 'default' } });
    expect(errors).toEqual([
      'spec: Required value',
      '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    ]);
  });

  describe('updates', () => {
    const csrMode = certificateRequest({ request: CSR_PEM });

    it('allows changing the IPs of a Secret-mode request (the controller re-issues)', () => {
      const changed = certificateRequest({ ipAddresses: ['10.42.0.8'], secretName: 'web-tls' });
      expect(admit('CertificateRequest', changed, minimal).errors).toEqual([]);
    });

    it('keeps spec.request immutable', () => {
      const changed = certificateRequest({ request: CSR_PEM.replace('MIIB', 'MIIC') });
      expect(admit('CertificateRequest', changed, csrMode).errors.join('\n')).toContain('request is immutable');
    });

    it('refuses to switch a CSR-mode request to ipAddresses', () => {
      const switched = certificateRequest({ ipAddresses: ['10.42.0.7'], secretName: 'web-tls' });
      expect(admit('CertificateRequest', switched, csrMode).errors.join('\n')).toContain('cannot switch');
    });
  });
});

describe('IPIssuer / IPClusterIssuer admission', () => {
  const issuer = (spec?: Record<string, unknown>): IPClusterIssuer => ({
    apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1',
    kind: 'IPClusterIssuer',
    metadata: { name: 'private-ips' },
    ...(spec ? { spec } : {}),
  });

  it('accepts an issuer without spec (the operator CA, all its ranges) and defaults spec to {}', () => {
    const { errors, stored } = admit('IPClusterIssuer', issuer());
    expect(errors).toEqual([]);
    expect((stored as unknown as IPClusterIssuer).spec).toEqual({});
  });

  it('accepts a CA Secret and allowed CIDRs', () => {
    const spec = { ca: { secretName: 'lab-ca' }, allowedCIDRs: ['10.42.0.0/16', '192.168.1.0/24'] };
    expect(admit('IPIssuer', { ...issuer(spec), kind: 'IPIssuer', metadata: { name: 'lab', namespace: 'default' } }).errors).toEqual([]);
  });

  for (const [what, spec, message] of [
    ['a CIDR without prefix length', { allowedCIDRs: ['10.42.0.0'] }, 'in body should match'],
    ['a prefix length over 32', { allowedCIDRs: ['10.42.0.0/33'] }, 'in body should match'],
    ['an empty CIDR list', { allowedCIDRs: [] }, 'should have at least 1 items'],
    ['a CA without secretName', { ca: {} }, 'spec.ca.secretName: Required value'],
    ['a misspelt field', { allowedCidrs: ['10.0.0.0/8'] }, 'unknown field "spec.allowedCidrs"'],
    ['a CIDR with host bits set', { allowedCIDRs: ['10.42.0.1/16'] }, 'spec.allowedCIDRs[0]: Invalid value: "10.42.0.1/16": allowedCIDRs entries must be network addresses'],
  ] as const) {
    it(`rejects ${what}`, () => {
      expect(admit('IPClusterIssuer', issuer(spec)).errors.join('\n')).toContain(message);
    });
  }
});
