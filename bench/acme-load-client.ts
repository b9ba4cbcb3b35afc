/**
 * A lean ACME load client for bench/acme.ts: ES256 account key, node:https keep-alive, no retries
 * beyond badNonce, and a fixed ~10 ms poll so the figures measure the servers, not client back-off.
 * It speaks just enough RFC 8555 for: account, then per order newOrder → authz → http-01 →
 * finalize → certificate.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { Agent, request } from 'node:https';
import { bitString, implicitConstructed, implicitPrimitive, integerFromNumber, octetString, oid, sequence, set } from '../src/ca/der.js';

export interface Directory {
  readonly newNonce: string;
  readonly newAccount: string;
  readonly newOrder: string;
}

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

const POLL_MS = 10;
const MAX_POLLS = 3_000;

export class LeanAcmeClient {
  private readonly key: KeyObject;
  private readonly jwk: Record<string, string>;
  private readonly thumbprint: string;
  private readonly agent: Agent;
  private readonly csrDer: Buffer;
  private nonce: string | undefined;
  private kid: string | undefined;

  constructor(
    private readonly directory: Directory,
    caPem: string,
    private readonly ip: string,
    /** Where the client publishes key authorizations (the shared http-01 responder). */
    private readonly publish: (token: string, keyAuthorization: string) => void,
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.key = privateKey;
    const jwk = publicKey.export({ format: 'jwk' }) as Record<string, string>;
    this.jwk = { crv: jwk['crv']!, kty: jwk['kty']!, x: jwk['x']!, y: jwk['y']! };
    this.thumbprint = createHash('sha256').update(JSON.stringify(this.jwk)).digest('base64url');
    this.agent = new Agent({ keepAlive: true, maxSockets: 2, ca: caPem });
    this.csrDer = ipCsr(ip);
  }

  static async directoryOf(url: string, caPem: string): Promise<Directory> {
    const reply = await send(new Agent({ ca: caPem }), 'GET', url);
    return JSON.parse(reply.body) as Directory;
  }

  async register(): Promise<void> {
    const reply = await this.post(this.directory.newAccount, { termsOfServiceAgreed: true }, true);
    if (reply.status !== 201 && reply.status !== 200) throw new Error(`newAccount: ${reply.status} ${reply.body}`);
    this.kid = header(reply, 'location');
  }

  /** One complete order; resolves when the certificate is downloaded. */
  async order(): Promise<void> {
    const created = await this.post(this.directory.newOrder, { identifiers: [{ type: 'ip', value: this.ip }] });
    expectStatus(created, 201, 'newOrder');
    const orderUrl = header(created, 'location');
    const order = JSON.parse(created.body) as { authorizations: string[]; finalize: string };
    for (const authorizationUrl of order.authorizations) await this.authorize(authorizationUrl);
    let state = JSON.parse((await this.poll(orderUrl, (body) => body['status'] !== 'pending')).body) as { status: string };
    if (state.status !== 'ready') throw new Error(`order is ${state.status}, not ready`);
    const finalized = await this.post(order.finalize, { csr: this.csrDer.toString('base64url') });
    expectStatus(finalized, 200, 'finalize');
    state = JSON.parse(finalized.body) as { status: string };
    const valid = state.status === 'valid' ? finalized : await this.poll(orderUrl, (body) => body['status'] === 'valid' || body['status'] === 'invalid');
    const certificate = (JSON.parse(valid.body) as { certificate?: string }).certificate;
    if (!certificate) throw new Error(`order did not become valid: ${valid.body}`);
    expectStatus(await this.post(certificate, ''), 200, 'certificate');
  }

  close(): void {
    this.agent.destroy();
  }

  private async authorize(url: string): Promise<void> {
    const authorization = JSON.parse((await this.post(url, '')).body) as { status: string; challenges: Array<{ type: string; url: string; token: string }> };
    if (authorization.status === 'valid') return;
    const challenge = authorization.challenges.find((candidate) => candidate.type === 'http-01');
    if (!challenge) throw new Error('no http-01 challenge');
    this.publish(challenge.token, `${challenge.token}.${this.thumbprint}`);
    expectStatus(await this.post(challenge.url, {}), 200, 'challenge');
    const settled = JSON.parse((await this.poll(url, (body) => body['status'] !== 'pending')).body) as { status: string };
    if (settled.status !== 'valid') throw new Error(`authorization is ${settled.status}`);
  }

  private async poll(url: string, done: (body: Record<string, unknown>) => boolean): Promise<Reply> {
    for (let attempt = 0; attempt < MAX_POLLS; attempt++) {
      const reply = await this.post(url, '');
      if (done(JSON.parse(reply.body) as Record<string, unknown>)) return reply;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new Error(`${url} did not settle`);
  }

  private async post(url: string, payload: unknown, useJwk = false, retries = 3): Promise<Reply> {
    const nonce = this.nonce ?? header(await send(this.agent, 'HEAD', this.directory.newNonce), 'replay-nonce');
    this.nonce = undefined;
    const protectedHeader = { alg: 'ES256', nonce, url, ...(useJwk ? { jwk: this.jwk } : { kid: this.kid }) };
    const encodedHeader = Buffer.from(JSON.stringify(protectedHeader)).toString('base64url');
    const encodedPayload = payload === '' ? '' : Buffer.from(JSON.stringify(payload)).toString('base64url');
    const signature = sign('sha256', Buffer.from(`${encodedHeader}.${encodedPayload}`), { key: this.key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    const reply = await send(this.agent, 'POST', url, JSON.stringify({ protected: encodedHeader, payload: encodedPayload, signature }));
    this.nonce = reply.headers['replay-nonce'] as string | undefined;
    if (reply.status === 400 && reply.body.includes('badNonce') && retries > 0) return this.post(url, payload, useJwk, retries - 1);
    if (reply.status >= 400) throw new Error(`${url}: ${reply.status} ${reply.body}`);
    return reply;
  }
}

function send(agent: Agent, method: string, url: string, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: body === undefined ? {} : { 'content-type': 'application/jose+json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function header(reply: Reply, name: string): string {
  const value = reply.headers[name];
  if (typeof value !== 'string') throw new Error(`no ${name} header (status ${reply.status}: ${reply.body.slice(0, 200)})`);
  return value;
}

function expectStatus(reply: Reply, status: number, what: string): void {
  if (reply.status !== status) throw new Error(`${what}: expected ${status}, got ${reply.status} ${reply.body.slice(0, 300)}`);
}

/** A P-256 CSR with an empty subject and one iPAddress SAN (made once per client, reused). */
function ipCsr(ip: string): Buffer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const san = sequence(implicitPrimitive(7, Uint8Array.from(ip.split('.').map(Number))));
  const extensionRequest = sequence(oid('1.2.840.113549.1.9.14'), set(sequence(sequence(oid('2.5.29.17'), octetString(san)))));
  const info = sequence(integerFromNumber(0), sequence(), spki, implicitConstructed(0, extensionRequest));
  const signature = sign('sha256', info, privateKey);
  return Buffer.from(sequence(info, sequence(oid('1.2.840.10045.4.3.2')), bitString(new Uint8Array(signature))));
}
