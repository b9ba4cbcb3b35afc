/**
 * ACME orders per second, side by side: smsgate-ca serve (SQLite; and in cluster mode against the
 * API-server double, with the default client-side API limit of 20/50 and with it lifted) vs
 * Debian's Pebble, driven by the same lean client (bench/acme-load-client.ts) with real http-01
 * validation on loopback, IP identifiers. Per server: 1, 4 and 16 concurrent clients,
 * ORDERS_PER_LEVEL orders each (bounded by SECONDS_PER_LEVEL), server CPU ms per order, Kubernetes
 * API requests per order (cluster mode), and RSS before and after all orders.
 * Run: npm run build && node dist/bench/acme.js  (BENCH_ACME_ORDERS=<n per level>, BENCH_ACME_SECONDS=<cap>,
 * BENCH_ACME_CLUSTER=0 to leave out the cluster-mode rows)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LeanAcmeClient } from './acme-load-client.js';
import { cpuMs, rssKiB, startPebble, startSmsgateCa, startSmsgateCaInCluster, type BenchServer } from './acme-servers.js';

const ORDERS_PER_LEVEL = Number(process.env.BENCH_ACME_ORDERS ?? 1000);
const SECONDS_PER_LEVEL = Number(process.env.BENCH_ACME_SECONDS ?? 90);
const CONCURRENCY = [1, 4, 16];
const CLUSTER = process.env.BENCH_ACME_CLUSTER !== '0';
/** Far above what the bench sends: the client-side limit out of the way. */
const LIFTED = { qps: 100_000, burst: 100_000 };
const IP = '127.0.0.1';

interface Row {
  readonly server: string;
  readonly concurrency: number;
  readonly orders: number;
  readonly seconds: number;
  readonly cpuMsPerOrder: number;
  /** Kubernetes API requests per order (cluster mode). */
  readonly apiRequestsPerOrder?: number;
  /** RSS once this level is done. */
  readonly rssKiB: number;
}

interface ServerResult {
  readonly rows: Row[];
  readonly rssStartKiB: number;
  readonly rssEndKiB: number;
  readonly totalOrders: number;
  readonly error?: string;
}

async function main(): Promise<void> {
  const tokens = new Map<string, string>();
  const responder = createServer((req, res) => {
    const token = /\/\.well-known\/acme-challenge\/([\w-]+)$/.exec(req.url ?? '')?.[1];
    const body = token ? tokens.get(token) : undefined;
    res.writeHead(body ? 200 : 404).end(body ?? '');
  });
  await new Promise<void>((resolve) => responder.listen(0, IP, resolve));
  const port = (responder.address() as AddressInfo).port;
  const publish = (token: string, keyAuthorization: string): void => void tokens.set(token, keyAuthorization);

  const results = new Map<string, ServerResult>();
  const starts = [
    () => startSmsgateCa(port),
    ...(CLUSTER ? [() => startSmsgateCaInCluster(port, 'smsgate-ca cluster 20/50'), () => startSmsgateCaInCluster(port, 'smsgate-ca cluster unlimited', LIFTED)] : []),
    () => startPebble(port, 14000 + Math.floor(Math.random() * 1000) * 2),
  ];
  for (const start of starts) {
    const server = await start();
    try {
      results.set(server.name, await measure(server, publish));
    } finally {
      await server.stop();
      tokens.clear();
    }
  }
  responder.close();
  print(results);
}

async function measure(server: BenchServer, publish: (token: string, keyAuthorization: string) => void): Promise<ServerResult> {
  const directory = await directoryOf(server);
  const rows: Row[] = [];
  let rssStartKiB = 0;
  let totalOrders = 0;
  try {
    for (const concurrency of CONCURRENCY) {
      const clients = Array.from({ length: concurrency }, () => new LeanAcmeClient(directory, server.caPem, IP, publish));
      await Promise.all(clients.map((client) => client.register()));
      if (rows.length === 0) {
        await clients[0]!.order(); // warm-up: first order, JIT, lazy initialisation
        rssStartKiB = rssKiB(server.pid);
      }
      rows.push(await level(server, clients));
      totalOrders += rows.at(-1)!.orders;
      clients.forEach((client) => client.close());
    }
    return { rows, rssStartKiB, rssEndKiB: rssKiB(server.pid), totalOrders };
  } catch (error) {
    return { rows, rssStartKiB, rssEndKiB: rssKiB(server.pid), totalOrders, error: (error as Error).message.slice(0, 400) };
  }
}

/** Pebble logs its directory URL a moment before it accepts connections: retry briefly. */
async function directoryOf(server: BenchServer) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await LeanAcmeClient.directoryOf(server.directoryUrl, server.caPem);
    } catch (error) {
      if (attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function level(server: BenchServer, clients: readonly LeanAcmeClient[]): Promise<Row> {
  let remaining = ORDERS_PER_LEVEL;
  let done = 0;
  const deadline = Date.now() + SECONDS_PER_LEVEL * 1000;
  const cpuBefore = cpuMs(server.pid);
  const apiBefore = server.apiRequests?.();
  const started = process.hrtime.bigint();
  await Promise.all(
    clients.map(async (client) => {
      while (remaining > 0 && Date.now() < deadline) {
        remaining -= 1;
        await client.order();
        done += 1;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const apiRequests = apiBefore === undefined ? {} : { apiRequestsPerOrder: (server.apiRequests!() - apiBefore) / Math.max(1, done) };
  return { server: server.name, concurrency: clients.length, orders: done, seconds, cpuMsPerOrder: (cpuMs(server.pid) - cpuBefore) / Math.max(1, done), ...apiRequests, rssKiB: rssKiB(server.pid) };
}

function print(results: Map<string, ServerResult>): void {
  const lines = [
    '',
    `ACME orders (IP identifier, real http-01 on loopback, lean client polling every 10 ms), ${ORDERS_PER_LEVEL} orders per level`,
    '',
    ...throughputTable(results),
    '',
    ...memoryTable(results),
  ];
  for (const [name, result] of results) if (result.error) lines.push('', `${name} stopped early: ${result.error}`);
  console.log(lines.join('\n'));
}

function throughputTable(results: Map<string, ServerResult>): string[] {
  const pebble = results.get('Pebble');
  const lines = ['| server | clients | orders | seconds | orders/s | server CPU ms/order | API requests/order | ours/Pebble |', '|---|---:|---:|---:|---:|---:|---:|---:|'];
  for (const result of results.values()) {
    for (const row of result.rows) {
      const rate = row.orders / row.seconds;
      const peer = pebble?.rows.find((candidate) => candidate.concurrency === row.concurrency);
      const ratio = row.server !== 'Pebble' && peer ? (rate / (peer.orders / peer.seconds)).toFixed(2) + '×' : '';
      const api = row.apiRequestsPerOrder === undefined ? '' : row.apiRequestsPerOrder.toFixed(1);
      lines.push(`| ${row.server} | ${row.concurrency} | ${row.orders} | ${row.seconds.toFixed(1)} | ${rate.toFixed(1)} | ${row.cpuMsPerOrder.toFixed(2)} | ${api} | ${ratio} |`);
    }
  }
  return lines;
}

function memoryTable(results: Map<string, ServerResult>): string[] {
  const lines = ['| server | RSS after warm-up | RSS after each level | RSS after all orders | orders | growth per order (all) | growth per order (last level) |', '|---|---:|---:|---:|---:|---:|---:|'];
  for (const [name, result] of results) {
    const growth = (result.rssEndKiB - result.rssStartKiB) / Math.max(1, result.totalOrders);
    const [previous, last] = result.rows.slice(-2);
    const lastGrowth = previous && last ? ((last.rssKiB - previous.rssKiB) / Math.max(1, last.orders)).toFixed(2) + ' KiB' : '';
    const perLevel = result.rows.map((row) => (row.rssKiB / 1024).toFixed(1)).join(' / ') + ' MiB';
    lines.push(`| ${name} | ${(result.rssStartKiB / 1024).toFixed(1)} MiB | ${perLevel} | ${(result.rssEndKiB / 1024).toFixed(1)} MiB | ${result.totalOrders} | ${growth.toFixed(2)} KiB | ${lastGrowth} |`);
  }
  return lines;
}

await main();
