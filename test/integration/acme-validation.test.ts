import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ipv4RangeSet } from '../../src/ca/ip-ranges.js';
import { keyAuthorization } from '../../src/acme/validation/key-authorization.js';
import { ChallengeValidator } from '../../src/acme/validation/validator.js';
import type { Dialer, ValidationOutcome } from '../../src/acme/validation/validation-types.js';
import { startHttp01Responder, startTlsAlpnResponder, type Http01Responder, type TlsAlpnResponder } from '../support/acme-responders.js';

const allowed = Ipv4RangeSet.parse('127.0.0.0/8,10.0.0.0/8');
const TOKEN = 'tok_abcdefghijklmnopqrstuvwxyz0123456789ABCDE';
const KEY_AUTH = keyAuthorization(TOKEN, 'thumbprintAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');

let http: Http01Responder;
let tls: TlsAlpnResponder;
const dialed: Array<{ ip: string; port: number }> = [];

function dialer(): Dialer {
  return (ip, standardPort) => {
    dialed.push({ ip, port: standardPort });
    // The responders listen on 127.0.0.1 only; other loopback identifiers are routed there.
    return { host: '127.0.0.1', port: standardPort === 80 ? http.port : tls.port };
  };
}

function validator(limits: { timeoutMs?: number; maxBodyBytes?: number } = {}): ChallengeValidator {
  return new ChallengeValidator({ allowedRanges: allowed, dial: dialer(), limits });
}

function problemOf(outcome: ValidationOutcome): { type: string; detail: string } {
  if (outcome.valid) throw new Error('expected a failed validation');
  return { type: outcome.problem.type, detail: outcome.problem.detail };
}

beforeAll(async () => {
  http = await startHttp01Responder('127.0.0.1');
  tls = await startTlsAlpnResponder('127.0.0.1');
});

afterAll(async () => {
  await http.close();
  await tls.close();
});

describe('http-01 validation on loopback', () => {
  it('succeeds when the responder serves the key authorization (whitespace around it ignored)', async () => {
    http.tokens.set(TOKEN, `  ${KEY_AUTH}\r\n`);
    const outcome = await validator().validate({ type: 'http-01', ip: '127.0.0.1', token: TOKEN, keyAuthorization: KEY_AUTH });
    expect(outcome).toEqual({ valid: true });
    expect(http.requests.at(-1)).toEqual({ path: `/.well-known/acme-challenge/${TOKEN}`, host: '127.0.0.1' });
  });

  it('fails with incorrectResponse on a wrong body, quoting what it got', async () => {
    http.tokens.set(TOKEN, 'something else');
    const problem = problemOf(await validator().validate({ type: 'http-01', ip: '127.0.0.1', token: TOKEN, keyAuthorization: KEY_AUTH }));
    expect(problem.type).toBe('incorrectResponse');
    expect(problem.detail).toContain('"something else"');
  });

  it('fails with incorrectResponse on a 404', async () => {
    const problem = problemOf(await validator().validate({ type: 'http-01', ip: '127.0.0.1', token: 'missingtoken', keyAuthorization: KEY_AUTH }));
    expect(problem).toMatchObject({ type: 'incorrectResponse' });
    expect(problem.detail).toContain('HTTP 404');
  });

  it('follows a redirect to the same IP on port 80', async () => {
    http.tokens.set('moved', KEY_AUTH);
    http.overrides.set('/.well-known/acme-challenge/redirected', { status: 302, headers: { location: '/.well-known/acme-challenge/moved' } });
    const outcome = await validator().validate({ type: 'http-01', ip: '127.0.0.1', token: 'redirected', keyAuthorization: KEY_AUTH });
    expect(outcome).toEqual({ valid: true });
  });

  it.each([
    ['another host', 'http://127.0.0.2/.well-known/acme-challenge/moved'],
    ['another port', 'http://127.0.0.1:8080/.well-known/acme-challenge/moved'],
    ['https', 'https://127.0.0.1/.well-known/acme-challenge/moved'],
  ])('does not follow a redirect to %s', async (_name, location) => {
    http.overrides.set('/.well-known/acme-challenge/away', { status: 301, headers: { location } });
    const before = http.requests.length;
    const problem = problemOf(await validator().validate({ type: 'http-01', ip: '127.0.0.1', token: 'away', keyAuthorization: KEY_AUTH }));
    expect(problem.type).toBe('connection');
    expect(problem.detail).toMatch(/not followed/);
    expect(http.requests.length - before).toBe(1);
  });

  it('stops a redirect loop', async () => {
    http.overrides.set('/.well-known/acme-challenge/loop', { status: 302, headers: { location: '/.well-known/acme-challenge/loop' } });
    expect(problemOf(await validator().validate({ type: 'http-01', ip: '127.0.0.1', token: 'loop', keyAuthorization: KEY_AUTH })).detail).toMatch(/more than 5 redirects/);
  });

  it('refuses an oversize body', async () => {
    http.tokens.set('big', 'x'.repeat(20_000));
    const problem = problemOf(await validator({ maxBodyBytes: 1024 }).validate({ type: 'http-01', ip: '127.0.0.1', token: 'big', keyAuthorization: KEY_AUTH }));
    expect(problem.detail).toMatch(/larger than 1024 bytes/);
  });

  it('gives up on a silent server at the deadline', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const slow = new ChallengeValidator({ allowedRanges: allowed, dial: (ip) => ({ host: ip, port: (silent.address() as AddressInfo).port }), limits: { timeoutMs: 300 } });
    const problem = problemOf(await slow.validate({ type: 'http-01', ip: '127.0.0.1', token: TOKEN, keyAuthorization: KEY_AUTH }));
    silent.close();
    expect(problem.type).toBe('connection');
    expect(problem.detail).toMatch(/within 300 ms/);
  });

  it('reports a refused connection as a connection problem', async () => {
    const closed = new ChallengeValidator({ allowedRanges: allowed, dial: (ip) => ({ host: ip, port: 1 }) });
    expect(problemOf(await closed.validate({ type: 'http-01', ip: '127.0.0.1', token: TOKEN, keyAuthorization: KEY_AUTH }))).toMatchObject({ type: 'connection' });
  });

  it('never dials an identifier outside the allowed ranges', async () => {
    const before = dialed.length;
    const problem = problemOf(await validator().validate({ type: 'http-01', ip: '8.8.8.8', token: TOKEN, keyAuthorization: KEY_AUTH }));
    expect(problem.type).toBe('rejectedIdentifier');
    expect(dialed.length).toBe(before);
  });
});

describe('tls-alpn-01 validation on loopback', () => {
  it('succeeds with the RFC 8737 certificate and sends the reverse-DNS SNI', async () => {
    await tls.arm('127.0.0.1', KEY_AUTH);
    const outcome = await validator().validate({ type: 'tls-alpn-01', ip: '127.0.0.1', token: TOKEN, keyAuthorization: KEY_AUTH });
    expect(outcome).toEqual({ valid: true });
    expect(tls.sniSeen.at(-1)).toBe('1.0.0.127.in-addr.arpa');
  });

  it('fails when the digest is for another key authorization', async () => {
    await tls.arm('127.0.0.2', 'another.keyauth');
    const problem = problemOf(await validator().validate({ type: 'tls-alpn-01', ip: '127.0.0.2', token: TOKEN, keyAuthorization: KEY_AUTH }));
    expect(problem).toMatchObject({ type: 'incorrectResponse' });
    expect(problem.detail).toMatch(/digest/);
  });

  it('fails when the acmeIdentifier is not critical', async () => {
    await tls.arm('127.0.0.3', KEY_AUTH, { critical: false });
    expect(problemOf(await validator().validate({ type: 'tls-alpn-01', ip: '127.0.0.3', token: TOKEN, keyAuthorization: KEY_AUTH })).detail).toMatch(/critical/);
  });

  it('fails when the SAN names another IP', async () => {
    await tls.arm('127.0.0.4', KEY_AUTH, { sanIp: '127.0.0.9' });
    expect(problemOf(await validator().validate({ type: 'tls-alpn-01', ip: '127.0.0.4', token: TOKEN, keyAuthorization: KEY_AUTH })).detail).toMatch(/exactly the iPAddress 127\.0\.0\.4/);
  });

  it('fails with a tls problem when the server does not speak acme-tls/1', async () => {
    const plain = new ChallengeValidator({ allowedRanges: allowed, dial: (ip) => ({ host: ip, port: http.port }), limits: { timeoutMs: 2000 } });
    const problem = problemOf(await plain.validate({ type: 'tls-alpn-01', ip: '127.0.0.1', token: TOKEN, keyAuthorization: KEY_AUTH }));
    expect(['tls', 'connection']).toContain(problem.type);
  });
});
