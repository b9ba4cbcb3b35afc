import { calculateJwkThumbprint, exportJWK, FlattenedSign, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { VerificationKeyCache } from '../../../src/acme/jws/account-key.js';
import { RequestVerifier } from '../../../src/acme/jws/request-verifier.js';
import { AcmeLinks } from '../../../src/acme/links.js';
import { CounterNonceService } from '../../../src/acme/nonces.js';
import { AcmeProblem } from '../../../src/acme/problems.js';
import type { AcmeAccountRecord } from '../../../src/store/acme-store.js';

const links = new AcmeLinks('https://ca.test/acme');
const URL = 'https://ca.test/acme/new-order';
let nonces: CounterNonceService;
let verifier: RequestVerifier;
const accounts = new Map<string, AcmeAccountRecord>();
let key: Awaited<ReturnType<typeof generateKeyPair>>;
let jwk: Record<string, string>;

beforeAll(async () => {
  key = await generateKeyPair('ES256', { extractable: true });
  const exported = await exportJWK(key.publicKey);
  jwk = { kty: 'EC', crv: 'P-256', x: exported.x!, y: exported.y! };
  const thumbprint = await calculateJwkThumbprint(jwk);
  for (const [id, status] of [['AAAAAAAAAAAAAAAA', 'valid'], ['BBBBBBBBBBBBBBBB', 'deactivated']] as const) {
    accounts.set(id, { id, thumbprint, jwk, contact: [], status, termsOfServiceAgreed: true, createdAt: new Date() });
  }
  nonces = new CounterNonceService();
  verifier = new RequestVerifier({ nonces, accounts: { findAccount: async (id) => accounts.get(id) }, keys: new VerificationKeyCache() });
});

async function signed(header: Record<string, unknown>, payload = '{}'): Promise<unknown> {
  return new FlattenedSign(new TextEncoder().encode(payload)).setProtectedHeader({ alg: 'ES256', url: URL, nonce: nonces.issue(), ...header }).sign(key.privateKey);
}

async function problemOf(body: Promise<unknown>, reference: 'jwk' | 'kid' = 'kid'): Promise<string> {
  try {
    await verifier.verify(await body, URL, links, reference);
    return 'accepted';
  } catch (error) {
    return error instanceof AcmeProblem ? error.type : String(error);
  }
}

describe('RequestVerifier', () => {
  it('accepts a jwk-signed request and returns the canonical key and its thumbprint', async () => {
    const verified = await verifier.verify(await signed({ jwk }), URL, links, 'jwk');
    expect(verified.by).toBe('jwk');
    if (verified.by === 'jwk') expect(verified.thumbprint).toBe(await calculateJwkThumbprint(jwk));
    expect(verified.payload).toEqual({});
  });

  it('accepts a kid-signed request for a valid account', async () => {
    const verified = await verifier.verify(await signed({ kid: links.account('AAAAAAAAAAAAAAAA') }, ''), URL, links, 'kid');
    expect(verified.by === 'kid' && verified.account.id).toBe('AAAAAAAAAAAAAAAA');
    expect(verified.payload).toBeUndefined();
  });

  it('refuses a deactivated account, an unknown one and a foreign kid', async () => {
    expect(await problemOf(signed({ kid: links.account('BBBBBBBBBBBBBBBB') }))).toBe('unauthorized');
    expect(await problemOf(signed({ kid: links.account('CCCCCCCCCCCCCCCC') }))).toBe('accountDoesNotExist');
    expect(await problemOf(signed({ kid: 'https://other.test/acme/acct/AAAAAAAAAAAAAAAA' }))).toBe('accountDoesNotExist');
  });

  it('checks the nonce before the url and the url before the key', async () => {
    expect(await problemOf(signed({ kid: links.account('CCCCCCCCCCCCCCCC'), url: 'https://ca.test/acme/other' }))).toBe('unauthorized');
    expect(await problemOf(signed({ kid: links.account('CCCCCCCCCCCCCCCC'), nonce: 'stale' }))).toBe('badNonce');
  });

  it('refuses a payload that is not a JSON object', async () => {
    expect(await problemOf(signed({ jwk }, '[1,2]'), 'jwk')).toBe('malformed');
    expect(await problemOf(signed({ jwk }, 'not json'), 'jwk')).toBe('malformed');
  });

  it('refuses a tampered payload (signature no longer verifies)', async () => {
    const body = (await signed({ jwk })) as Record<string, string>;
    expect(await problemOf(Promise.resolve({ ...body, payload: Buffer.from('{"a":1}').toString('base64url') }), 'jwk')).toBe('malformed');
  });
});

describe('spkiHoldsKey', () => {
  it('recognises the account key inside a SubjectPublicKeyInfo, for EC and RSA, and nothing else', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { spkiHoldsKey, canonicalPublicJwk } = await import('../../../src/acme/jws/account-key.js');
    for (const pair of [generateKeyPairSync('ec', { namedCurve: 'P-256' }), generateKeyPairSync('rsa', { modulusLength: 2048 })]) {
      const spki = new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' }));
      const jwk = canonicalPublicJwk(pair.publicKey.export({ format: 'jwk' }));
      expect(spkiHoldsKey(spki, jwk)).toBe(true);
      const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
      expect(spkiHoldsKey(new Uint8Array(other), jwk)).toBe(false);
    }
  });
});
