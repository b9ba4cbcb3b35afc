import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCsr, freshKey } from '../support/csr-factory.js';
import { makeTempDir } from '../support/cli.js';
import { verifyServerChain } from '../support/openssl.js';
import { startAcmeHarness, type AcmeHarness } from '../support/acme-harness.js';
import { keyAuthorizationFor, RawAcmeClient } from '../support/acme-test-client.js';

let harness: AcmeHarness;
let tmp: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  harness = await startAcmeHarness();
  tmp = await makeTempDir();
});

afterAll(async () => {
  await harness.close();
  await tmp.cleanup();
});

interface ChallengeBody {
  type: string;
  url: string;
  token: string;
  status: string;
}

async function authorize(client: RawAcmeClient, authorizationUrl: string, type: 'http-01' | 'tls-alpn-01'): Promise<Record<string, unknown>> {
  const authorization = (await client.fetch(authorizationUrl)).json<{ identifier: { value: string }; challenges: ChallengeBody[] }>();
  const challenge = authorization.challenges.find((candidate) => candidate.type === type)!;
  const keyAuth = keyAuthorizationFor(challenge.token, client.key);
  if (type === 'http-01') harness.http01.tokens.set(challenge.token, keyAuth);
  else await harness.tlsAlpn.arm(authorization.identifier.value, keyAuth);
  const started = await client.post(challenge.url, {});
  expect(started.status).toBe(200);
  expect(started.headers.get('link')).toContain('rel="up"');
  return client.pollUntil(authorizationUrl, (body) => body['status'] !== 'pending');
}

describe('ACME happy path in-process (RFC 8555 §7, RFC 8738)', () => {
  it.each(['http-01', 'tls-alpn-01'] as const)('account → order → %s → finalize → download → revoke', async (type) => {
    const ip = type === 'http-01' ? '127.0.0.5' : '127.0.0.6';
    const client = await RawAcmeClient.create(harness.directoryUrl, type === 'http-01' ? 'ES256' : 'RS256');
    const account = await client.createAccount({ termsOfServiceAgreed: true, contact: ['mailto:ops@example.internal'] });
    expect(account.status).toBe(201);
    expect(account.json()).toMatchObject({ status: 'valid', contact: ['mailto:ops@example.internal'] });
    expect(account.headers.get('replay-nonce')).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(account.headers.get('link')).toContain(`<${harness.directoryUrl}>;rel="index"`);

    const orderReply = await client.newOrder([ip]);
    expect(orderReply.status).toBe(201);
    const orderUrl = orderReply.headers.get('location')!;
    const order = orderReply.json<{ status: string; authorizations: string[]; finalize: string; identifiers: unknown[] }>();
    expect(order).toMatchObject({ status: 'pending', identifiers: [{ type: 'ip', value: ip }] });

    const authorization = await authorize(client, order.authorizations[0]!, type);
    expect(authorization['status']).toBe('valid');
    expect((authorization['challenges'] as ChallengeBody[]).map((challenge) => challenge.type)).toEqual([type]);
    expect(harness.dialed.at(-1)).toEqual({ ip, port: type === 'http-01' ? 80 : 443 });
    expect((await client.fetch(orderUrl)).json()['status']).toBe('ready');

    const csr = buildCsr({ key: freshKey('p256'), ips: [ip] });
    const finalized = await client.post(order.finalize, { csr: Buffer.from(csr.der).toString('base64url') });
    expect(finalized.status).toBe(200);
    const valid = finalized.json<{ status: string; certificate: string }>();
    expect(valid.status).toBe('valid');

    const chain = await client.fetch(valid.certificate);
    expect(chain.status).toBe(200);
    expect(chain.headers.get('content-type')).toBe('application/pem-certificate-chain');
    expect(chain.text.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    const verified = await verifyServerChain(tmp.dir, chain.text, harness.rootPem, ip);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);

    const leafDer = Buffer.from(chain.text.split('-----END CERTIFICATE-----')[0]!.replace(/-----BEGIN CERTIFICATE-----|\s/g, ''), 'base64');
    const revoked = await client.post(client.directory.revokeCert, { certificate: leafDer.toString('base64url'), reason: 4 });
    expect(revoked.status).toBe(200);
    const again = await client.post(client.directory.revokeCert, { certificate: leafDer.toString('base64url') });
    expect(again.json()).toMatchObject({ type: 'urn:ietf:params:acme:error:alreadyRevoked', status: 400 });
  });
});
