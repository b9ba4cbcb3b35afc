import 'reflect-metadata'; // @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded first
import { Agent } from 'node:https';
import { join } from 'node:path';
import { X509Certificate } from '@peculiar/x509';
import * as acme from 'acme-client';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttp01Responder, type Http01Responder } from '../support/acme-responders.js';
import { freePort, startAcmeServe, type AcmeServe } from '../support/acme-serve.js';
import { buildCsr, concat, derOid, extension, OIDS, seq } from '../support/csr-factory.js';
import { pemBlocks, verifyServerChain } from '../support/openssl.js';

/**
 * The ACME door applies the same tolerance as REST and `sign`: node acme-client finalizes with a CSR
 * whose extKeyUsage value carries the same four stray bytes as the SMSGate client's.
 */
const IP = '127.0.0.14';
let server: AcmeServe;
let http: Http01Responder;
let client: acme.Client;

beforeAll(async () => {
  const httpPort = await freePort(IP);
  server = await startAcmeServe({ http01Port: httpPort, tlsAlpn01Port: await freePort() });
  http = await startHttp01Responder(IP, httpPort);
  acme.axios.defaults.httpsAgent = new Agent({ ca: server.rootPem });
  client = new acme.Client({ directoryUrl: server.directoryUrl, accountKey: await acme.crypto.createPrivateEcdsaKey(), backoffMin: 10, backoffMax: 100, backoffAttempts: 100 });
  await client.createAccount({ termsOfServiceAgreed: true });
});

afterAll(async () => {
  await http?.close();
  await server?.stop();
});

describe('ACME finalize with a malformed extKeyUsage in the CSR', () => {
  it('issues; the leaf carries the profile extKeyUsage, verifies strictly, and the audit names what was ignored', async () => {
    const order = await client.createOrder({ identifiers: [{ type: 'ip', value: IP }] });
    for (const authorization of await client.getAuthorizations(order)) {
      const challenge = authorization.challenges.find((candidate) => candidate.type === 'http-01')!;
      http.tokens.set(challenge.token, await client.getChallengeKeyAuthorization(challenge));
      await client.completeChallenge(challenge);
      await client.waitForValidStatus(challenge);
    }
    // 30 06 06 04 2b 06 01 05 + 05 07 03 01: the SMSGate client's bytes.
    const malformedEku = concat(seq(derOid('1.3.6.1.5')), Uint8Array.of(0x05, 0x07, 0x03, 0x01));
    const csr = buildCsr({ ips: [IP], extensions: [extension(OIDS.extKeyUsage, malformedEku)] }).pem;
    const chain = await client.getCertificate(await client.finalizeOrder(order, csr));
    expect((await verifyServerChain(server.dir, chain, server.rootPem, IP)).code).toBe(0);
    const eku = new X509Certificate(pemBlocks(chain)[0]!).extensions.find((entry) => entry.type === OIDS.extKeyUsage)!;
    expect(Buffer.from(eku.value).toString('hex')).toBe('300a06082b06010505070301');
    const db = new Database(join(server.dir, 'data/smsgate-ca.db'), { readonly: true, fileMustExist: true });
    try {
      const issued = db.prepare("SELECT detail FROM audit_log WHERE event = 'issued' AND door = 'acme'").all() as Array<{ detail: string | null }>;
      expect(issued.map((row) => row.detail)).toEqual([expect.stringMatching(/^ignored malformed requested extension\(s\), never copied: extension extKeyUsage \(2\.5\.29\.37\): 4 unexpected trailing byte/)]);
    } finally {
      db.close();
    }
  });
});
