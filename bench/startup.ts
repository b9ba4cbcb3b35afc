/**
 * Start-up time and idle memory of the built server, side by side with what Node itself costs,
 * measured in the same run:
 * - `npm start` on a built tree, spawn → "listening on" (first start creating the CA, and a restart);
 * - `node bin/smsgate-ca.js serve`, spawn → "listening on", on an empty store and on one holding
 *   BENCH_REQUESTS decided requests (default 50000);
 * - idle RSS of `serve` standalone and in cluster mode (against the API-server double in this
 *   process), right after "listening on" and after BENCH_IDLE_SECONDS idle (default 15);
 * - references: `node -e 0` and `npm --version` spawn → exit, and a bare idle `node`'s RSS.
 * Run: npm run bench:startup. Bounds: BENCH_RUNS (default 5), BENCH_SECONDS per start (default 60).
 * Loopback only: every server listens on 127.0.0.1:0.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeApiServer } from '../test/support/fake-apiserver/index.js';
import { seedDatabase } from './startup-database.js';
import { median, rssMiB, sleep, startUntil, timeToExit, type Started } from './startup-processes.js';
import { installOurCrds } from './bench-crds.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 50_000);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 15);
const TIMEOUT_MS = Number(process.env.BENCH_SECONDS ?? 60) * 1000;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'bin/smsgate-ca.js');
const LISTENING = /listening on https?:\/\/\S+\n/;
const SERVE_FLAGS = ['--listen', '127.0.0.1:0', '--log-level', 'warn'];

interface Line {
  readonly what: string;
  readonly value: string;
  readonly reference: string;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'smsgate-ca-bench-startup-'));
  try {
    ensureBuilt();
    const lines = [...(await startTimes(work)), ...(await idleMemory(work))];
    printTable(lines);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The measured tree must be built: npm start would otherwise measure a compile. */
function ensureBuilt(): void {
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts/build-if-stale.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('the build failed');
}

async function startTimes(work: string): Promise<Line[]> {
  const nodeMs = await repeat(() => timeToExit(process.execPath, ['-e', '0'], ROOT));
  const npmMs = await repeat(() => timeToExit('npm', ['--version'], ROOT));
  const npmDir = join(work, 'npm-start');
  const npmStart = (): Promise<Started> => startUntil('npm', ['start', '--', '--data-dir', npmDir, ...SERVE_FLAGS], { cwd: ROOT, ready: LISTENING, timeoutMs: TIMEOUT_MS });
  const firstNpm = await timed(npmStart);
  const npmRestart = await repeat(() => timed(npmStart));
  const emptyDir = join(work, 'empty');
  const serve = (dataDir: string) => () => timed(() => startUntil(process.execPath, [CLI, 'serve', '--data-dir', dataDir, ...SERVE_FLAGS], { cwd: ROOT, ready: LISTENING, timeoutMs: TIMEOUT_MS }));
  await serve(emptyDir)(); // creates the CA, so the rows below compare restarts
  const emptyMs = await repeat(serve(emptyDir));
  const fullDir = join(work, 'full');
  const seeding = Date.now();
  await seedDatabase(fullDir, REQUESTS);
  const seededIn = (Date.now() - seeding) / 1000;
  const fullMs = await repeat(serve(fullDir));
  const references = `node -e 0: ${ms(nodeMs)}; npm --version: ${ms(npmMs)}`;
  return [
    { what: 'npm start → listening (built tree, first start: creates the CA)', value: ms(firstNpm), reference: references },
    { what: 'npm start → listening (built tree, existing CA)', value: ms(npmRestart), reference: references },
    { what: 'node bin/smsgate-ca.js serve → listening (empty store)', value: ms(emptyMs), reference: `node -e 0: ${ms(nodeMs)}` },
    { what: `node bin/smsgate-ca.js serve → listening (${REQUESTS} requests in the store)`, value: ms(fullMs), reference: `same, empty store: ${ms(emptyMs)} (seeded in ${seededIn.toFixed(1)} s)` },
  ];
}

async function idleMemory(work: string): Promise<Line[]> {
  const bare = await startUntil(process.execPath, ['-e', 'console.log("ready"); setInterval(() => {}, 1000)'], { cwd: ROOT, ready: /ready/, timeoutMs: TIMEOUT_MS });
  const bareRss = await settle(bare);
  await bare.stop();
  const standalone = await startUntil(process.execPath, [CLI, 'serve', '--data-dir', join(work, 'rss-standalone'), ...SERVE_FLAGS], { cwd: ROOT, ready: LISTENING, timeoutMs: TIMEOUT_MS });
  const standaloneRss = await settle(standalone);
  await standalone.stop();
  const clusterRss = await clusterModeRss(join(work, 'rss-cluster'));
  const reference = `bare node, idle: ${mib(bareRss.idle)}`;
  return [
    { what: `serve idle RSS, standalone (at listening → after ${IDLE_SECONDS} s idle)`, value: `${mib(standaloneRss.first)} → ${mib(standaloneRss.idle)}`, reference },
    { what: `serve idle RSS, cluster mode (at listening → after ${IDLE_SECONDS} s idle)`, value: `${mib(clusterRss.first)} → ${mib(clusterRss.idle)}`, reference },
  ];
}

/** RSS right away and after the idle window (V8 gives memory back once a process has been idle a while). */
async function settle(started: Started): Promise<{ first: number; idle: number }> {
  const first = await rssMiB(started.child.pid!);
  await sleep(IDLE_SECONDS * 1000);
  return { first, idle: await rssMiB(started.child.pid!) };
}

/** `serve` with the CA in a Secret, the Kubernetes store and the controller, against the double. */
async function clusterModeRss(dataDir: string): Promise<{ first: number; idle: number }> {
  const fake = await startFakeApiServer({});
  try {
    await installOurCrds(fake, ROOT);
    const args = [CLI, 'serve', '--kubeconfig', fake.kubeconfigPath, '--ca-secret', 'smsgate-ca', '--namespace', 'default', '--data-dir', dataDir, ...SERVE_FLAGS];
    const server = await startUntil(process.execPath, args, { cwd: ROOT, ready: LISTENING, timeoutMs: TIMEOUT_MS });
    try {
      // Proof that cluster mode ran: the CA was created in its Secret.
      if (!fake.objects.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'default', name: 'smsgate-ca' })) {
        throw new Error(`serve did not use the cluster:\n${server.output()}`);
      }
      return await settle(server);
    } finally {
      await server.stop();
    }
  } finally {
    await fake.close();
  }
}

async function timed(start: () => Promise<Started>): Promise<number> {
  const started = await start();
  await started.stop();
  return started.ms;
}

async function repeat(measure: () => Promise<number>): Promise<number> {
  const values: number[] = [];
  for (let run = 0; run < RUNS; run += 1) values.push(await measure());
  return median(values);
}

const ms = (value: number) => `${value.toFixed(0)} ms`;
const mib = (value: number) => `${value.toFixed(1)} MiB`;

function printTable(lines: readonly Line[]): void {
  const width = Math.max(...lines.map((line) => line.what.length));
  const valueWidth = Math.max(...lines.map((line) => line.value.length));
  process.stdout.write(`start-up and idle memory (median of ${RUNS} run(s); references measured in the same run; loopback only)\n`);
  for (const line of lines) process.stdout.write(`${line.what.padEnd(width)}  ${line.value.padStart(valueWidth)}   [${line.reference}]\n`);
}

await main();
