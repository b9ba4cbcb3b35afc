import 'reflect-metadata'; // @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded first
import { createPublicKey, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { expect } from 'vitest';
import type { AcmeHarness } from './acme-harness.js';
import { calculateJwkThumbprint, exportJWK, type CryptoKey } from 'jose';
import { keyAuthorizationFor, type AcmeReply, type RawAcmeClient, type TestAccountKey } from './acme-test-client.js';
import { buildCsr, freshKey, type TestKey } from './csr-factory.js';

/** Multi-step ACME flows over the in-process harness, shared by the integration tests. */

export interface OrderBody {
  status: string;
  authorizations: string[];
  finalize: string;
  certificate?: string;
  replaces?: string;
  expires: string;
}

/** Answers http-01 for each authorization that is still pending, and waits until it settles. */
export async function validateAuthorizations(harness: AcmeHarness, client: RawAcmeClient, authorizationUrls: readonly string[]): Promise<void> {
  for (const url of authorizationUrls) {
    const authorization = (await client.fetch(url)).json<{ status: string; challenges: Array<{ type: string; url: string; token: string }> }>();
    if (authorization.status !== 'pending') continue;
    const challenge = authorization.challenges.find((candidate) => candidate.type === 'http-01')!;
    harness.http01.tokens.set(challenge.token, keyAuthorizationFor(challenge.token, client.key));
    expect((await client.post(challenge.url, {})).status).toBe(200);
    const settled = await client.pollUntil(url, (body) => body['status'] !== 'pending');
    expect(settled['status']).toBe('valid');
  }
}

/** A new order for `ips`, every authorization validated: the order is ready. */
export async function readyOrder(harness: AcmeHarness, client: RawAcmeClient, ips: readonly string[], extra: Record<string, unknown> = {}): Promise<{ url: string; body: OrderBody }> {
  const reply = await client.newOrder(ips, extra);
  expect(reply.status, reply.text).toBe(201);
  const body = reply.json<OrderBody>();
  await validateAuthorizations(harness, client, body.authorizations);
  const url = reply.headers.get('location')!;
  expect((await client.fetch(url)).json()['status']).toBe('ready');
  return { url, body };
}

export interface AcmeIssued {
  readonly orderUrl: string;
  readonly chainPem: string;
  readonly leafDer: Buffer;
  /** Lower-case hex, as the ledger keys it. */
  readonly serialNumber: string;
  /** The certificate's own key (P-256). */
  readonly key: TestKey;
}

/** Order → http-01 → finalize → download. */
export async function issueCertificate(harness: AcmeHarness, client: RawAcmeClient, ips: readonly string[], extra: Record<string, unknown> = {}): Promise<AcmeIssued> {
  const { url, body } = await readyOrder(harness, client, ips, extra);
  const key = freshKey('p256');
  const csr = buildCsr({ key, ips });
  const finalized = await client.post(body.finalize, { csr: Buffer.from(csr.der).toString('base64url') });
  expect(finalized.status, finalized.text).toBe(200);
  const chainPem = (await client.fetch(finalized.json<OrderBody>().certificate!)).text;
  const leaf = new X509Certificate(chainPem);
  return { orderUrl: url, chainPem, leafDer: leaf.raw, serialNumber: leaf.serialNumber.toLowerCase(), key };
}

/** A certificate's P-256 key as a JWS signing key (revocation signed with the certificate key, §7.6). */
export async function certificateSigningKey(key: TestKey): Promise<TestAccountKey> {
  const publicJwk = await exportJWK(createPublicKey(key.privateKey));
  return { alg: 'ES256', privateKey: key.privateKey as unknown as CryptoKey, publicJwk, thumbprint: await calculateJwkThumbprint(publicJwk) };
}

export function revokeCertificate(client: RawAcmeClient, leafDer: Buffer, reason?: number, options: Parameters<RawAcmeClient['post']>[2] = {}): Promise<AcmeReply> {
  return client.post(client.directory.revokeCert, { certificate: leafDer.toString('base64url'), ...(reason === undefined ? {} : { reason }) }, options);
}

/** RFC 9773 §4.1 certificate identifier, computed independently of the server's code. */
export function ariCertificateId(leafDer: Buffer): string {
  const certificate = new x509.X509Certificate(leafDer);
  const aki = certificate.getExtension(x509.AuthorityKeyIdentifierExtension);
  if (!aki?.keyId) throw new Error('the certificate has no authorityKeyIdentifier');
  return `${Buffer.from(aki.keyId, 'hex').toString('base64url')}.${Buffer.from(certificate.serialNumber, 'hex').toString('base64url')}`;
}

/** The value of a counter series in the harness registry (0 when absent). */
export async function counterValue(harness: AcmeHarness, name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await harness.metrics.registry.getMetricsAsJSON()).find((entry) => entry.name === name);
  const value = metric?.values.find((entry) => Object.entries(labels).every(([key, label]) => entry.labels[key] === label));
  return value?.value ?? 0;
}

/** A clock tests move forward (authorization expiry) without waiting. */
export class SteppingClock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
