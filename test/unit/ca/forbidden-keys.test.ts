import { Buffer } from 'node:buffer';
import { createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { exportJWK, calculateJwkThumbprint } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  CaError,
  createCa,
  CSR_PROFILES,
  ForbiddenKeys,
  inspectSubjectKey,
  Ipv4RangeSet,
  publicKeyThumbprint,
  systemClock,
  validateCsr,
  type KeyAlgorithm,
} from '../../../src/ca/index.js';
import { buildCsr, freshKey, type TestKey } from '../../support/csr-factory.js';

const POLICY = { allowedRanges: Ipv4RangeSet.defaults, profile: CSR_PROFILES.smsgate };

function refusal(check: () => void): CaError {
  try {
    check();
  } catch (error) {
    if (error instanceof CaError) return error;
    throw error;
  }
  throw new Error('the key was accepted');
}

/** A CSR for 192.168.1.10 signed by (and carrying) the given private key, through the real intake. */
function requestedJwk(privateKeyPem: string, kind: TestKey['kind']): JsonWebKey {
  const privateKey = createPrivateKey(privateKeyPem);
  const spki = Uint8Array.from(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
  const validated = validateCsr(buildCsr({ key: { kind, privateKey, spki } }).pem, POLICY);
  return inspectSubjectKey(validated.spki).jwk;
}

describe.each([
  ['ecdsa-p256', 'p256'],
  ['rsa-2048', 'rsa2048'],
] as const satisfies ReadonlyArray<readonly [KeyAlgorithm, TestKey['kind']]>)('a %s CA', (keyAlgorithm, kind) => {
  const ca = createCa({ keyAlgorithm, allowedRanges: Ipv4RangeSet.defaults, clock: systemClock });
  // The root given as its certificate, the intermediate as its private key: either form names the key.
  const forbidden = ForbiddenKeys.of([
    { label: 'the root CA key', key: ca.root.certificatePem },
    { label: 'the intermediate CA key', key: createPrivateKey(ca.intermediate.privateKeyPem) },
  ]);

  it.each([
    ['root', ca.root.privateKeyPem, 'the root CA key'],
    ['intermediate', ca.intermediate.privateKeyPem, 'the intermediate CA key'],
  ])('refuses a correctly signed CSR carrying the %s key, naming it', (_which, privateKeyPem, label) => {
    const error = refusal(() => forbidden.check(requestedJwk(privateKeyPem, kind)));
    expect({ reason: error.reason, value: error.value, class: error.errorClass }).toEqual({ reason: 'key_reused', value: label, class: 'policy' });
    expect(error.message).toContain(`is ${label}`);
  });

  it('refuses the root key as a check of the intake itself (CsrPolicy.checks)', () => {
    const privateKey = createPrivateKey(ca.root.privateKeyPem);
    const spki = Uint8Array.from(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
    const pem = buildCsr({ key: { kind, privateKey, spki } }).pem;
    expect(refusal(() => validateCsr(pem, { ...POLICY, checks: [forbidden.asCsrCheck()] }))).toMatchObject({ reason: 'key_reused', value: 'the root CA key' });
    expect(validateCsr(buildCsr({ key: freshKey(kind) }).pem, { ...POLICY, checks: [forbidden.asCsrCheck()] }).ips).toEqual(['192.168.1.10']);
  });

  it('lets any other key through', () => {
    const other = freshKey(kind);
    const jwk = inspectSubjectKey(validateCsr(buildCsr({ key: other }).pem, POLICY).spki).jwk;
    expect(() => forbidden.check(jwk)).not.toThrow();
  });
});

describe('the ACME account key', () => {
  it('is refused when it is also the CSR key, however the account JWK pads its integers', async () => {
    const account = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const accountJwk = await exportJWK(account.publicKey);
    const padded = { ...accountJwk, n: Buffer.concat([Buffer.of(0), Buffer.from(accountJwk.n!, 'base64url')]).toString('base64url') };
    const caKeys = ForbiddenKeys.of([]);
    const forRequest = caKeys.with([{ label: 'the ACME account key', key: padded }]);
    const csrKey: TestKey = { kind: 'rsa2048', privateKey: account.privateKey, spki: Uint8Array.from(account.publicKey.export({ type: 'spki', format: 'der' })) };
    const jwk = inspectSubjectKey(validateCsr(buildCsr({ key: csrKey }).pem, POLICY).spki).jwk;
    expect(refusal(() => forRequest.check(jwk))).toMatchObject({ reason: 'key_reused', value: 'the ACME account key' });
    expect({ before: caKeys.size, after: forRequest.size }).toEqual({ before: 0, after: 1 });
    expect(() => caKeys.check(jwk)).not.toThrow();
  });
});

describe('publicKeyThumbprint', () => {
  it.each([
    ['EC P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey],
    ['EC P-384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey],
    ['RSA 2048', () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey],
  ])('is the RFC 7638 thumbprint jose computes (%s)', async (_name, make) => {
    const jwk = await exportJWK(make());
    expect(publicKeyThumbprint(jwk as JsonWebKey)).toBe(await calculateJwkThumbprint(jwk, 'sha256'));
  });

  it('refuses key types it cannot compare', () => {
    expect(refusal(() => publicKeyThumbprint({ kty: 'OKP', crv: 'Ed25519', x: 'AAAA' }))).toMatchObject({ reason: 'key_unsupported' });
  });
});
