import { createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CaError,
  caKeysOf,
  createCa,
  CSR_PROFILES,
  Ipv4RangeSet,
  LeafSigner,
  loadCaMaterial,
  reviewKeyAndIps,
  systemClock,
  validateCsr,
  type CsrPolicy,
} from '../../../src/ca/index.js';
import { buildCsr, freshKey, type TestKey } from '../../support/csr-factory.js';

const RANGES = Ipv4RangeSet.defaults;
const ca = createCa({ keyAlgorithm: 'ecdsa-p256', allowedRanges: RANGES, clock: systemClock });
const material = loadCaMaterial({ certificatePem: ca.intermediate.certificatePem, privateKeyPem: ca.intermediate.privateKeyPem, chainPem: ca.root.certificatePem, clock: systemClock });
const policy: CsrPolicy = { allowedRanges: RANGES, profile: CSR_PROFILES.smsgate, forbiddenKeys: caKeysOf(material) };

function keyOf(privateKeyPem: string): TestKey {
  const privateKey = createPrivateKey(privateKeyPem);
  return { kind: 'p256', privateKey, spki: Uint8Array.from(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })) };
}

function refusal(check: () => unknown): CaError {
  try {
    check();
  } catch (error) {
    if (error instanceof CaError) return error;
    throw error;
  }
  throw new Error('the key was accepted');
}

describe('caKeysOf: the keys a CA never certifies for a requester', () => {
  it.each([
    ['root', ca.root.privateKeyPem, /^the root CA key \(O=.*CN=.*\)$/],
    ['intermediate', ca.intermediate.privateKeyPem, /^the intermediate CA key \(O=.*CN=.*Intermediate CA.*\)$/],
  ])('refuses a correctly signed CSR carrying the %s key at the intake, naming the key and its subject', (_which, privateKeyPem, label) => {
    const error = refusal(() => validateCsr(buildCsr({ key: keyOf(privateKeyPem) }).pem, policy));
    expect(error.reason).toBe('key_reused');
    expect(error.value).toMatch(label);
    expect(error.message).toBe(`the requested public key is ${error.value}; a certificate needs a key of its own: generate a new key`);
  });

  it('refuses them for a key without a CSR too (a stored REST request, a key the controller generated)', () => {
    const { spki } = keyOf(ca.intermediate.privateKeyPem);
    expect(refusal(() => reviewKeyAndIps({ spki, ips: ['192.168.1.10'] }, policy)).value).toMatch(/^the intermediate CA key/);
    expect(reviewKeyAndIps({ spki: freshKey('p256').spki, ips: ['192.168.1.10'] }, policy).ips).toEqual(['192.168.1.10']);
  });

  it('accepts any other key', () => {
    expect(validateCsr(buildCsr({ key: freshKey('p256') }).pem, policy).ips).toEqual(['192.168.1.10']);
  });

  it('holds the root alone when the root signs directly, and LeafSigner carries the set of its own material', () => {
    const rootSigns = loadCaMaterial({ certificatePem: ca.root.certificatePem, privateKeyPem: ca.root.privateKeyPem, clock: systemClock });
    expect(caKeysOf(rootSigns).size).toBe(1);
    expect(refusal(() => new LeafSigner(rootSigns).caKeys.check(createPublicKey(ca.root.certificatePem).export({ format: 'jwk' }))).value).toMatch(/^the root CA key/);
    expect(new LeafSigner(material).caKeys.size).toBe(2);
  });
});
