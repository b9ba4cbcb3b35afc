/**
 * REST issuance under concurrency: the built `smsgate-ca serve` on loopback (rate limit off), N
 * clients each submitting a fresh CSR and polling until it is approved, for N = 1, 8, 64. Prints
 * throughput, p50/p99 latency (submit → approved), the server's peak RSS, and the core's own
 * signing rate (validateCsr + LeafSigner.issue, in this process) for comparison.
 * Run: npm run bench:rest. Bounds per row: BENCH_REQUESTS (default 2000) and BENCH_SECONDS (default 15);
 * BENCH_CLIENTS (default 1,8,64) picks the rows; BENCH_SERVER_NODE_ARGS adds node flags to the server (profiling).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CSR_PROFILES, Ipv4RangeSet, LeafSigner, validateCsr } from '../src/ca/index.js';
import { buildClientCsr } from '../src/ca/index.js';
import { freshIntermediate } from './bench-ca.js';

const MAX_REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const WARMUP_REQUESTS = Number(process.env.BENCH_WARMUP_REQUESTS ?? 300);
const MAX_SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONCURRENCY = (process.env.BENCH_CLIENTS ?? '1,8,64').split(',').map(Number);
const POLL_DELAY_MS = 5;
const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/smsgate-ca.js');

interface Row {
  readonly clients: number;
  readonly polls: number;
  readonly serverCpuMs: number;
  readonly clientCpuMs: number;
  readonly issued: number;
  readonly seconds: number;
  readonly latenciesMs: number[];
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'smsgate-ca-bench-'));
  const csrs = makeCsrs(WARMUP_REQUESTS + MAX_REQUESTS * CONCURRENCY.length);
  const core = measureCore(csrs.slice(0, 300));
  const server = await startServer(dataDir);
  try {
    const ca = await readFile(join(dataDir, 'ca/root.crt'), 'utf8');
    const rows: Row[] = [];
    // Not measured: lets the server's JIT and caches reach their steady state.
    const warmup = new Agent({ keepAlive: true, maxSockets: 8, ca });
    await runRow(server.url, warmup, 8, csrs.slice(0, WARMUP_REQUESTS));
    warmup.destroy();
    let next = WARMUP_REQUESTS;
    for (const clients of CONCURRENCY) {
      const agent = new Agent({ keepAlive: true, maxSockets: clients, ca });
      const batch = csrs.slice(next, next + MAX_REQUESTS);
      next += MAX_REQUESTS;
      const cpuBefore = await cpuMs(server.pid);
      const clientBefore = process.cpuUsage();
      const row = await runRow(server.url, agent, clients, batch);
      const client = process.cpuUsage(clientBefore);
      rows.push({ ...row, serverCpuMs: (await cpuMs(server.pid)) - cpuBefore, clientCpuMs: (client.user + client.system) / 1000 });
      agent.destroy();
    }
    const peakRssMb = await peakRss(server.pid);
    printTable(rows, peakRssMb, core);
  } finally {
    server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function makeCsrs(count: number): string[] {
  return Array.from({ length: count }, (_, index) => buildClientCsr(`10.${(index >> 16) & 255}.${(index >> 8) & 255}.${(index & 255) || 1}`).csrPem);
}

/** The pure core in this process (validateCsr + LeafSigner.issue): wall rate and CPU ms per certificate. */
function measureCore(csrs: readonly string[]): { perSecond: number; cpuMsPerCert: number } {
  const ranges = Ipv4RangeSet.defaults;
  const material = freshIntermediate('ecdsa-p256', ranges);
  const signer = new LeafSigner(material);
  const once = (pem: string) => {
    const csr = validateCsr(pem, { allowedRanges: ranges, profile: CSR_PROFILES.smsgate });
    signer.issue({ subject: csr, ips: csr.ips, type: 'webhook' });
  };
  csrs.slice(0, 100).forEach(once);
  const started = performance.now();
  const cpu = process.cpuUsage();
  let count = 0;
  while (performance.now() - started < 2000) once(csrs[count++ % csrs.length]!);
  const used = process.cpuUsage(cpu);
  return { perSecond: count / ((performance.now() - started) / 1000), cpuMsPerCert: (used.user + used.system) / 1000 / count };
}

async function startServer(dataDir: string): Promise<{ url: string; pid: number; stop(): void }> {
  // e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--rate-limit', '0', '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (https:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolveUrl(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { url, pid: child.pid!, stop: () => child.kill('SIGTERM') };
}

let polls = 0;

async function runRow(url: string, agent: Agent, clients: number, csrs: readonly string[]): Promise<Omit<Row, 'serverCpuMs' | 'clientCpuMs'>> {
  const latenciesMs: number[] = [];
  polls = 0;
  const deadline = performance.now() + MAX_SECONDS * 1000;
  let taken = 0;
  const started = performance.now();
  const client = async () => {
    while (taken < csrs.length && performance.now() < deadline) {
      const csr = csrs[taken++]!;
      const begin = performance.now();
      await issueOne(url, agent, csr);
      latenciesMs.push(performance.now() - begin);
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return { clients, polls, issued: latenciesMs.length, seconds: (performance.now() - started) / 1000, latenciesMs };
}

async function issueOne(url: string, agent: Agent, csr: string): Promise<void> {
  const submitted = await call(agent, `${url}/api/v1/csr`, 'POST', JSON.stringify({ content: csr }));
  if (submitted.status !== 202) throw new Error(`POST answered ${submitted.status}: ${submitted.text}`);
  const id = (JSON.parse(submitted.text) as { request_id: string }).request_id;
  for (;;) {
    const polled = await call(agent, `${url}/api/v1/csr/${id}`, 'GET');
    polls++;
    const status = (JSON.parse(polled.text) as { status: string }).status;
    if (status === 'approved') return;
    if (status !== 'pending') throw new Error(`request ${id} was ${status}`);
    await new Promise((wake) => setTimeout(wake, POLL_DELAY_MS));
  }
}

function call(agent: Agent, url: string, method: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((done, fail) => {
    const req = request(url, { method, agent, headers: body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

/** User + system CPU time of a process so far, in ms (Linux; clock ticks are 10 ms). */
async function cpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** VmHWM: the peak resident set size of the server process, in MiB (Linux). */
async function peakRss(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function printTable(rows: readonly Row[], peakRssMb: number | undefined, core: { perSecond: number; cpuMsPerCert: number }): void {
  const line = (cells: readonly string[]) => console.log(cells.map((cell, index) => (index === 0 ? cell.padEnd(8) : cell.padStart(12))).join(''));
  console.log(`REST issuance (submit + poll until approved), ECDSA P-256 CA, loopback HTTPS, rate limit off`);
  line(['clients', 'issued', 'seconds', 'issued/s', 'p50 ms', 'p99 ms', 'polls/cert', 'srv cpu ms', 'cli cpu ms', 'vs core', 'cpu vs core']);
  for (const row of rows) {
    const sorted = [...row.latenciesMs].sort((a, b) => a - b);
    const perSecond = row.issued / row.seconds;
    line([
      String(row.clients),
      String(row.issued),
      row.seconds.toFixed(2),
      perSecond.toFixed(1),
      percentile(sorted, 50).toFixed(2),
      percentile(sorted, 99).toFixed(2),
      (row.polls / row.issued).toFixed(2),
      (row.serverCpuMs / row.issued).toFixed(2),
      (row.clientCpuMs / row.issued).toFixed(2),
      `${((perSecond / core.perSecond) * 100).toFixed(0)}%`,
      `${((core.cpuMsPerCert / (row.serverCpuMs / row.issued)) * 100).toFixed(0)}%`,
    ]);
  }
  console.log(`core (validateCsr + LeafSigner.issue, one thread): ${core.perSecond.toFixed(0)} certificates/s, ${core.cpuMsPerCert.toFixed(3)} CPU ms each`);
  console.log('vs core: issued/s over the core rate; cpu vs core: core CPU per certificate over server CPU per certificate');
  console.log('(what the REST path would sustain, as a share of the core, on the same single core).');
  console.log(`server peak RSS: ${peakRssMb === undefined ? 'n/a' : `${peakRssMb.toFixed(1)} MiB`}`);
}

await main();
