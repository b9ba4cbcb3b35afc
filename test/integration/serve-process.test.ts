import { X509Certificate } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { connect, type DetailedPeerCertificate } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, run, runCliProcess } from '../support/cli.js';
import { buildCsr } from '../support/csr-factory.js';
import { openssl } from '../support/openssl.js';
import { freePort } from '../support/acme-serve.js';
import { httpCall, pollUntilDecided, postJson, readRoot, startServeProcess } from '../support/serve-process.js';

let work: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  work = await makeTempDir();
});

afterAll(() => work.cleanup());

/** The certificate the server presents, verified against `caPem` for `servername`. */
function presentedCertificate(port: number, caPem: string, servername: string): Promise<{ authorized: boolean; error?: string; certificate: DetailedPeerCertificate }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: caPem, servername, rejectUnauthorized: false }, () => {
      const certificate = socket.getPeerCertificate(true);
      resolve({ authorized: socket.authorized, ...(socket.authorizationError ? { error: String(socket.authorizationError) } : {}), certificate });
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe('smsgate-ca serve (the built CLI)', () => {
  it('creates a CA on first start, serves HTTPS with a root-signed certificate for localhost and 127.0.0.1, and stops on SIGTERM', async () => {
    const dataDir = join(work.dir, 'first');
    const metricsPort = await freePort();
    const server = await startServeProcess(dataDir, ['--log-level', 'info', '--metrics-listen', `127.0.0.1:${metricsPort}`]);
    const rootPem = await readRoot(dataDir);
    expect((await stat(join(dataDir, 'ca/root.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, 'smsgate-ca.db'))).mode & 0o777).toBe(0o600);
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    for (const name of ['localhost', '127.0.0.1']) {
      const presented = await presentedCertificate(server.port, rootPem, name === 'localhost' ? name : '');
      expect(presented.error).toBeUndefined();
      expect(presented.authorized).toBe(true);
      expect(presented.certificate.subjectaltname).toBe('DNS:localhost, IP Address:127.0.0.1');
    }
    // curl, as the issue puts it: curl --cacert DATA/ca/root.crt https://127.0.0.1:PORT/...
    const curl = await run('curl', ['-sS', '--fail', '--cacert', join(dataDir, 'ca/root.crt'), `${server.url}/healthz`]);
    expect(curl.stdout).toBe('{"status":"ok"}');
    const sClient = await openssl(['s_client', '-connect', `127.0.0.1:${server.port}`, '-CAfile', join(dataDir, 'ca/root.crt'), '-verify_ip', '127.0.0.1', '-verify_return_error'], { input: '' });
    expect(sClient.stdout).toMatch(/Verify return code: 0 \(ok\)/);

    const ready = await httpCall(`${server.url}/readyz`, { caPem: rootPem });
    expect(ready.status).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { store: 'ok', worker: 'ok', ca: 'ok', server: 'ok' } });

    // One issuance, then the metrics and the logs.
    const submitted = await postJson(`${server.url}/api/v1/csr`, { content: buildCsr({ ips: ['192.168.3.3'] }).pem }, rootPem);
    expect(submitted.status).toBe(202);
    await pollUntilDecided(server.url, submitted.json<{ request_id: string }>().request_id, rootPem);
    // Over the metrics listener: the HTTPS port answers 404 for /metrics.
    expect((await httpCall(`${server.url}/metrics`, { caPem: rootPem })).status).toBe(404);
    const metrics = (await httpCall(`http://127.0.0.1:${metricsPort}/metrics`)).text;
    for (const series of [
      'smsgate_ca_http_requests_total{method="POST",route="/api/v1/csr",status="202"} 1',
      'smsgate_ca_certificate_requests_total{door="rest",outcome="accepted"} 1',
      'smsgate_ca_certificate_requests_total{door="rest",outcome="approved"} 1',
      'smsgate_ca_certificates_issued_total{door="rest",type="webhook"} 1',
      'smsgate_ca_issuance_latency_seconds_count{door="rest"} 1',
      'smsgate_ca_rate_limited_requests_total',
      'smsgate_ca_process_resident_memory_bytes',
    ]) {
      expect(metrics).toContain(series);
    }

    expect(await server.stop('SIGTERM')).toBe(0);
    const logs = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logs.find((entry) => entry['msg'] === 'request' && entry['route'] === '/api/v1/csr')).toMatchObject({ status: 202, reqId: expect.any(String) });
    expect(logs.find((entry) => entry['msg'] === 'certificate issued')).toMatchObject({ ips: ['192.168.3.3'] });
    expect(logs.at(-1)).toMatchObject({ msg: 'stopped' });
    expect(server.output()).not.toMatch(/BEGIN (CERTIFICATE REQUEST|PRIVATE KEY|EC PRIVATE KEY)/);
  });

  it('keeps its CA across restarts', async () => {
    const dataDir = join(work.dir, 'first');
    const before = await readRoot(dataDir);
    const server = await startServeProcess(dataDir);
    try {
      expect((await httpCall(`${server.url}/api/v1/ca`, { caPem: before })).json()).toMatchObject({ root: before });
    } finally {
      await server.stop();
    }
    expect(await readRoot(dataDir)).toBe(before);
  });

  it('on all interfaces, the certificate also names every local IPv4 address (still contacted over loopback only)', async () => {
    const dataDir = join(work.dir, 'all');
    const server = await startServeProcess(dataDir, ['--listen', '0.0.0.0:0']);
    try {
      const presented = await presentedCertificate(server.port, await readRoot(dataDir), 'localhost');
      expect(presented.authorized).toBe(true);
      const local = Object.values(networkInterfaces())
        .flat()
        .filter((entry) => entry?.family === 'IPv4')
        .map((entry) => entry.address);
      for (const ip of local) expect(presented.certificate.subjectaltname).toContain(`IP Address:${ip}`);
    } finally {
      await server.stop();
    }
  });

  it('without the root key, the intermediate signs a certificate for the allowed IPs only', async () => {
    const dataDir = join(work.dir, 'no-root-key');
    expect((await runCliProcess(['init', '--data-dir', dataDir, '--allowed-cidrs', '127.0.0.0/8,10.0.0.0/8'])).code).toBe(0);
    await rm(join(dataDir, 'ca/root.key'));
    const server = await startServeProcess(dataDir, ['--allowed-cidrs', '127.0.0.0/8,10.0.0.0/8']);
    try {
      const rootPem = await readRoot(dataDir);
      const presented = await presentedCertificate(server.port, rootPem, '');
      expect(presented.authorized).toBe(true);
      expect(presented.certificate.subjectaltname).toBe('IP Address:127.0.0.1');
      expect(presented.certificate.issuerCertificate.subject.CN).toMatch(/Intermediate/);
      expect(server.output()).toMatch(/no root key in the data directory/);
    } finally {
      await server.stop();
    }
  });

  it('--tls-cert/--tls-key serves the given certificate', async () => {
    const dir = join(work.dir, 'own-tls');
    const made = await openssl(
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(work.dir, 'own.key'), '-out', join(work.dir, 'own.crt'), '-days', '2', '-subj', '/CN=own', '-addext', 'subjectAltName=IP:127.0.0.1'],
    );
    expect(made.code).toBe(0);
    await run('chmod', ['600', join(work.dir, 'own.key')]);
    const server = await startServeProcess(dir, ['--tls-cert', join(work.dir, 'own.crt'), '--tls-key', join(work.dir, 'own.key')]);
    try {
      const own = await readFile(join(work.dir, 'own.crt'), 'utf8');
      const presented = await presentedCertificate(server.port, own, '');
      expect(presented.authorized).toBe(true);
      expect(presented.certificate.fingerprint256).toBe(new X509Certificate(own).fingerprint256);
    } finally {
      await server.stop();
    }
  });

  it('--insecure-http serves plain HTTP for a TLS-terminating proxy', async () => {
    const server = await startServeProcess(join(work.dir, 'plain'), ['--insecure-http']);
    try {
      expect(server.url).toMatch(/^http:\/\//);
      expect((await httpCall(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
      expect(server.output()).toMatch(/serving plain HTTP/);
    } finally {
      await server.stop();
    }
  });

  it.each([
    [['--rate-limit', 'lots'], /rate limit "lots" must look like N\/PERIOD/],
    [['--tls-cert', 'x.pem'], /tls-cert and tls-key must be given together/],
    [['--listen', 'nowhere'], /listen address "nowhere"/],
    [['--allowed-cidrs', '8.8.8.0/24'], /never certifies public addresses/],
    [['--log-level', 'chatty'], /log-level must be one of/],
  ])('refuses bad flags %j before starting (exit 1)', async (flags, message) => {
    const result = await runCliProcess(['serve', '--data-dir', join(work.dir, 'never'), ...flags]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    await expect(stat(join(work.dir, 'never'))).rejects.toThrow();
  });

  it('reads flags from SMSGATE_CA_* environment variables', async () => {
    const server = await startServeProcess(join(work.dir, 'env'), [], { SMSGATE_CA_INSECURE_HTTP: 'true' });
    try {
      expect(server.url).toMatch(/^http:\/\//);
    } finally {
      await server.stop();
    }
  });
});
