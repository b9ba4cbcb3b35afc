/**
 * Controller time-to-Ready: N CertificateRequests created at once in the API-server double (in this
 * process), reconciled by the built `smsgate-ca serve --kubeconfig … --ca-secret …` (a child
 * process: Kubernetes store, CA in a Secret, Events). Prints, per N: seconds until all are Ready,
 * certificates/second, p50/p99 creation→Ready (100 ms resolution), the controller's CPU time, idle
 * and peak RSS, and a check that every request got exactly one Secret at revision 1.
 * Run: npm run build && node dist/bench/controller.js (npm run bench:controller once wired).
 * Bounds: BENCH_COUNTS (default 1000,5000), BENCH_SECONDS per row (default 180), BENCH_WORKERS
 * (controller workers, default 16).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeApiServer, type FakeApiServer, type JsonObject } from '../test/support/fake-apiserver/index.js';
import { installOurCrds } from './bench-crds.js';

const COUNTS = (process.env.BENCH_COUNTS ?? '1000,5000').split(',').map(Number);
const MAX_SECONDS = Number(process.env.BENCH_SECONDS ?? 180);
const WORKERS = process.env.BENCH_WORKERS ?? '16';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'bin/smsgate-ca.js');
const CR_API = 'smsgate-ca.sms-gate.app/v1alpha1';

interface Row {
  readonly count: number;
  readonly ready: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuMs: number;
  readonly idleRssMiB: number;
  readonly peakRssMiB: number;
  readonly secrets: number;
  readonly revisionOne: number;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const count of COUNTS) rows.push(await runRow(count));
  printTable(rows);
}

async function runRow(count: number): Promise<Row> {
  const fake = await startFakeApiServer({ watchHistorySize: Math.max(10_000, count * 8), bookmarkIntervalMs: 5_000 });
  const dataDir = await mkdtemp(join(tmpdir(), 'smsgate-ca-bench-controller-'));
  let child: ChildProcess | undefined;
  try {
    await installOurCrds(fake, ROOT);
    child = await startController(fake, dataDir);
    const pid = child.pid!;
    await waitForCaSecret(fake);
    await sleep(500);
    const idleRssMiB = await rssMiB(pid, 'VmRSS');
    const cpuBefore = await cpuMs(pid);
    const created = new Map<string, number>();
    const start = Date.now();
    for (let i = 0; i < count; i += 1) {
      const name = `bench-${i}`;
      fake.objects.create({ apiVersion: CR_API, kind: 'CertificateRequest', metadata: { name, namespace: 'default' }, spec: { ipAddresses: [ipFor(i)], secretName: `${name}-tls` } });
      created.set(name, Date.now());
      if (i % 200 === 199) await new Promise((resolveTick) => setImmediate(resolveTick));
    }
    const readyAt = new Map<string, number>();
    const deadline = start + MAX_SECONDS * 1000;
    while (readyAt.size < count && Date.now() < deadline) {
      await sleep(100);
      noteReady(fake, readyAt, Date.now());
    }
    const seconds = (Math.max(...readyAt.values(), start) - start) / 1000;
    const latencies = [...readyAt].map(([name, at]) => at - (created.get(name) ?? start)).sort((a, b) => a - b);
    const secrets = fake.objects.list('v1', 'Secret', 'default').filter((secret) => String((secret['metadata'] as JsonObject)['name'] as string).startsWith('bench-'));
    const revisionOne = fake.objects.list(CR_API, 'CertificateRequest', 'default').filter((cr) => (cr['status'] as JsonObject | undefined)?.['revision'] === 1).length;
    return {
      count,
      ready: readyAt.size,
      seconds,
      p50: percentile(latencies, 0.5) / 1000,
      p99: percentile(latencies, 0.99) / 1000,
      cpuMs: (await cpuMs(pid)) - cpuBefore,
      idleRssMiB,
      peakRssMiB: await rssMiB(pid, 'VmHWM'),
      secrets: secrets.length,
      revisionOne,
    };
  } finally {
    child?.kill('SIGKILL');
    await fake.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function startController(fake: FakeApiServer, dataDir: string): Promise<ChildProcess> {
  const args = [CLI, 'serve', '--kubeconfig', fake.kubeconfigPath, '--ca-secret', 'smsgate-ca', '--namespace', 'default', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--insecure-http', '--acme-disabled', '--log-level', 'warn', '--controller-workers', WORKERS];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`controller did not start:\n${output}`)), 30_000);
    child.stdout.on('data', () => {
      if (/listening on/.test(output)) {
        clearTimeout(timer);
        resolveStart(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`controller exited with ${code}:\n${output}`));
    });
  });
}

async function waitForCaSecret(fake: FakeApiServer): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (fake.objects.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'default', name: 'smsgate-ca' })) return;
    await sleep(50);
  }
  throw new Error('the CA Secret never appeared');
}

/** Records when each CertificateRequest was first seen Ready. */
function noteReady(fake: FakeApiServer, readyAt: Map<string, number>, now: number): void {
  for (const cr of fake.objects.list(CR_API, 'CertificateRequest', 'default')) {
    const name = (cr['metadata'] as JsonObject)['name'] as string;
    if (!readyAt.has(name) && isReady(cr)) readyAt.set(name, now);
  }
}

function ipFor(i: number): string {
  return `10.${Math.floor(i / 65_000) + 1}.${Math.floor((i % 65_000) / 250)}.${(i % 250) + 1}`;
}

function isReady(cr: JsonObject): boolean {
  const conditions = ((cr['status'] as JsonObject | undefined)?.['conditions'] ?? []) as Array<{ type: string; status: string }>;
  return conditions.some((condition) => condition.type === 'Ready' && condition.status === 'True');
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** User + system CPU time of a process so far, in ms (Linux; clock ticks are 10 ms). */
async function cpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** VmRSS (current) or VmHWM (peak) of a process, in MiB (Linux). */
async function rssMiB(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(await readFile(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}

function printTable(rows: readonly Row[]): void {
  const header = ['CRs', 'Ready', 'seconds', 'certs/s', 'p50 s', 'p99 s', 'ctrl CPU ms/cert', 'idle RSS MiB', 'peak RSS MiB', 'Secrets', 'revision 1'];
  const lines = rows.map((row) => [
    String(row.count),
    String(row.ready),
    row.seconds.toFixed(1),
    (row.ready / Math.max(row.seconds, 0.001)).toFixed(0),
    row.p50.toFixed(1),
    row.p99.toFixed(1),
    (row.cpuMs / Math.max(row.ready, 1)).toFixed(2),
    row.idleRssMiB.toFixed(0),
    row.peakRssMiB.toFixed(0),
    String(row.secrets),
    String(row.revisionOne),
  ]);
  const widths = header.map((title, index) => Math.max(title.length, ...lines.map((line) => line[index]!.length)));
  const format = (cells: readonly string[]) => cells.map((cell, index) => cell.padStart(widths[index]!)).join('  ');
  process.stdout.write(`controller time-to-Ready (API-server double in the bench process, controller = built serve, ${WORKERS} workers)\n`);
  process.stdout.write(`${format(header)}\n${lines.map(format).join('\n')}\n`);
}

await main();
