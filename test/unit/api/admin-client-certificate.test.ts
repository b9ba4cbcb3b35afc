import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkClientCertificate } from '../../../src/api/admin-client-certificate.js';
import { makeAdminCa, sha256Fingerprint } from '../../support/admin-client-pki.js';
import { makeTempDir } from '../../support/cli.js';

/**
 * The per-request decision on a verified handshake's certificate. The handshake itself runs in
 * test/integration/admin-client-certificate.test.ts; here the socket is a stand-in reporting what
 * OpenSSL concluded, so each rule is seen on its own (the own-CA rule cannot be reached through a
 * real handshake once serve refused its own CA at start).
 */
const DAY_MS = 86_400_000;
let work: { dir: string; cleanup: () => Promise<void> };
let caDer: Buffer;
let leafDer: Buffer;
let leafFile: string;

beforeAll(async () => {
  work = await makeTempDir();
  const ca = await makeAdminCa(join(work.dir, 'ca'), '/CN=Admin CA/O=Example');
  const now = Date.now();
  leafFile = (await ca.issue('alice', { subject: '/CN=alice/O=Example', extendedKeyUsage: 'clientAuth', notBefore: new Date(now - DAY_MS), notAfter: new Date(now + DAY_MS) })).certificate;
  caDer = new X509Certificate(await readFile(ca.certificate)).raw;
  leafDer = new X509Certificate(await readFile(leafFile)).raw;
}, 60_000);

afterAll(async () => {
  await work?.cleanup();
});

/** What node's TLSSocket reports: the chain as getPeerCertificate(true) links it (the root refers to itself). */
function socketWith(authorized: boolean, authorizationError?: string) {
  const root: { raw: Buffer; issuerCertificate?: unknown } = { raw: caDer };
  root.issuerCertificate = root;
  return { authorized, authorizationError, getPeerCertificate: () => ({ raw: leafDer, issuerCertificate: root }) };
}

describe('checkClientCertificate', () => {
  it('a verified clientAuth certificate inside its window: the subject, fingerprint and serial', async () => {
    const result = checkClientCertificate(socketWith(true), new Date(), () => []);
    expect(result).toMatchObject({ kind: 'valid', admin: { subject: 'CN=alice, O=Example', fingerprint: await sha256Fingerprint(leafFile) } });
  });

  it('a chain through a key of this CA is refused', () => {
    const ownKey = new X509Certificate(caDer).publicKey;
    expect(checkClientCertificate(socketWith(true), new Date(), () => [ownKey])).toEqual({ kind: 'refused', reason: expect.stringMatching(/chains to this CA itself/) });
  });

  it("OpenSSL's verdict is kept, in words: an unknown issuer", () => {
    expect(checkClientCertificate(socketWith(false, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'), new Date(), () => [])).toEqual({
      kind: 'refused',
      reason: 'the client certificate CN=alice, O=Example is refused: it is not issued by a CA of --admin-client-ca (UNABLE_TO_GET_ISSUER_CERT_LOCALLY)',
    });
  });

  it("the validity window is the server clock's, whatever OpenSSL concluded", () => {
    expect(checkClientCertificate(socketWith(true), new Date(Date.now() + 2 * DAY_MS), () => [])).toEqual({ kind: 'refused', reason: expect.stringMatching(/expired at/) });
    expect(checkClientCertificate(socketWith(true), new Date(Date.now() - 2 * DAY_MS), () => [])).toEqual({ kind: 'refused', reason: expect.stringMatching(/not valid before/) });
  });

  it('no certificate, or not a TLS connection: absent', () => {
    expect(checkClientCertificate({ authorized: false, getPeerCertificate: () => ({}) }, new Date(), () => [])).toEqual({ kind: 'absent' });
    expect(checkClientCertificate({}, new Date(), () => [])).toEqual({ kind: 'absent' });
  });
});
