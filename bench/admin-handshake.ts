/**
 * What --admin-client-ca costs each connection: fresh TLS handshakes (no session reuse) plus one GET,
 * against the server's own listener (src/http/listen.ts), side by side:
 *   off         — the listener without a client CA (the default);
 *   on, no cert — the same listener asking for a client certificate, the client sending none (the
 *                 SMSGate client, ACME clients, curl: what every REST/ACME connection pays);
 *   on, cert    — the client presenting a P-256 admin certificate that OpenSSL verifies.
 * Certificates are made by openssl in a temporary directory; loopback only.
 * The rows take turns in rounds and the medians are printed; CPU time is this process's (client and
 * server both), which a busy machine disturbs less than wall time.
 * Run: npm run bench:admin-handshake (BENCH_HANDSHAKES=<n> per row, BENCH_ROUNDS, BENCH_SECONDS=<cap>).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listen } from '../src/http/listen.js';

const HANDSHAKES = Number(process.env.BENCH_HANDSHAKES ?? 400);
const SECONDS_CAP = Number(process.env.BENCH_SECONDS ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

interface Pki {
  readonly serverCa: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly adminCa: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

function openssl(dir: string, args: readonly string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** A root for the server certificate (127.0.0.1), and an admin CA with one clientAuth leaf: all P-256. */
function makePki(dir: string): Pki {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  for (const name of ['server-root', 'admin-ca']) {
    openssl(dir, ['req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=${name}`, '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  }
  const leaves = [['server', 'server-root', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'], ['client', 'admin-ca', 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n']] as const;
  for (const [name, ca, extensions] of leaves) {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(dir, ['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-out', `${name}.crt`, '-extfile', `${name}.ext`]);
  }
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  return { serverCa: read('server-root.crt'), serverCert: read('server.crt'), serverKey: read('server.key'), adminCa: read('admin-ca.crt'), clientCert: read('client.crt'), clientKey: read('client.key') };
}

function getOnce(port: number, options: { ca: string; cert?: string; key?: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, ...options }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end();
  });
}

/** One server per row, kept for all rounds, so the rows can take turns (a busy machine slows them alike). */
interface RowServer {
  readonly label: string;
  readonly port: number;
  readonly client: { ca: string; cert?: string; key?: string };
  close(): Promise<void>;
}

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

async function rowServer(label: string, pki: Pki, clientCa: boolean, presentCertificate: boolean): Promise<RowServer> {
  const server = await listen(
    (_request, response) => {
      response.end('ok');
    },
    { host: '127.0.0.1', port: 0, tls: { certificatePem: pki.serverCert, keyPem: pki.serverKey, ...(clientCa ? { clientCaPem: pki.adminCa } : {}) } },
  );
  const client = { ca: pki.serverCa, ...(presentCertificate ? { cert: pki.clientCert, key: pki.clientKey } : {}) };
  for (let warmup = 0; warmup < 20; warmup++) await getOnce(server.address.port, client);
  return { label, port: server.address.port, client, close: () => server.close() };
}

/** `count` handshakes one after another: wall time and this process's CPU time (client and server both live here) per handshake. */
async function sample(row: RowServer, count: number): Promise<Sample> {
  const wall = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let done = 0; done < count; done++) await getOnce(row.port, row.client);
  const used = process.cpuUsage(cpu);
  return { wallMs: Number(process.hrtime.bigint() - wall) / 1e6 / count, cpuMs: (used.user + used.system) / 1000 / count };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-admin-handshake-'));
  const rows: RowServer[] = [];
  try {
    const pki = makePki(dir);
    rows.push(await rowServer('off', pki, false, false), await rowServer('on, no cert', pki, true, false), await rowServer('on, cert', pki, true, true));
    const perRound = Math.max(1, Math.ceil(HANDSHAKES / ROUNDS));
    const samples = new Map<RowServer, Sample[]>(rows.map((row) => [row, []]));
    const deadline = Date.now() + SECONDS_CAP * 1000;
    for (let round = 0; round < ROUNDS && Date.now() < deadline; round++) for (const row of rows) samples.get(row)!.push(await sample(row, perRound));
    const base = median(samples.get(rows[0]!)!.map((s) => s.cpuMs));
    console.log(`fresh TLS 1.3 handshakes + GET over loopback, P-256 everywhere, ${samples.get(rows[0]!)!.length} rounds of ${perRound} per row, medians (${process.version})`);
    console.log('row            wall ms each  CPU ms each  CPU vs off');
    for (const row of rows) {
      const wall = median(samples.get(row)!.map((s) => s.wallMs));
      const cpu = median(samples.get(row)!.map((s) => s.cpuMs));
      console.log(`${row.label.padEnd(13)}  ${wall.toFixed(3).padStart(12)}  ${cpu.toFixed(3).padStart(11)}  ${(cpu / base).toFixed(2).padStart(9)}x`);
    }
  } finally {
    for (const row of rows) await row.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
