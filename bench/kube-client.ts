/**
 * Our Kubernetes client (src/kube: KubeHttpClient + ResourceClient + Informer) side by side with
 * @kubernetes/client-node's generated CoreV1Api and makeInformer, on the same loop against the
 * API-server double in a child process (scripts/fake-cluster.mjs, loopback only): N Secrets
 * created, read, merge-patched, listed and deleted, and an informer synced over them. Prints, per
 * client, operations per second and this process's CPU time per operation (the server's CPU is
 * not counted), then what importing each client costs a fresh node process.
 * Run: npm run build && node dist/bench/kube-client.js. Bounds: BENCH_COUNT Secrets per round
 * (default 300), BENCH_ROUNDS (default 3, the first a warm-up that is not printed).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig, makeInformer, PatchStrategy, setHeaderOptions, type V1Secret } from '@kubernetes/client-node';
import type { Secret } from '../src/kube/core-types.js';
import { Informer } from '../src/kube/informer.js';
import { connectKube } from '../src/kube/kube-connection.js';
import { KubeHttpClient } from '../src/kube/kube-http-client.js';
import { ResourceClient } from '../src/kube/resource-client.js';
import { SECRETS } from '../src/kube/resource-types.js';

const COUNT = Number(process.env.BENCH_COUNT ?? 300);
const ROUNDS = Math.max(2, Number(process.env.BENCH_ROUNDS ?? 3));
const NAMESPACE = 'default';
const CONCURRENCY = 8;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The operations both clients run, each over `names`. */
interface ClientUnderTest {
  readonly name: string;
  create(name: string): Promise<unknown>;
  read(name: string): Promise<unknown>;
  patch(name: string): Promise<unknown>;
  list(): Promise<number>;
  remove(name: string): Promise<unknown>;
  /** Starts an informer over the namespace's Secrets, resolves once synced with the item count, then stops it. */
  informerSync(): Promise<number>;
  close(): void;
}

interface Measure {
  readonly opsPerSecond: number;
  readonly cpuMsPerOp: number;
}

async function main(): Promise<void> {
  const cluster = await startCluster();
  try {
    const clients = [await ours(cluster.kubeconfig), clientNode(cluster.kubeconfig)];
    printRows(await measureClients(clients));
    for (const client of clients) client.close();
  } finally {
    cluster.process.kill('SIGTERM');
  }
  printImportCost();
}

async function measureClients(clients: readonly ClientUnderTest[]): Promise<Map<string, Map<string, Measure[]>>> {
  const rows = new Map<string, Map<string, Measure[]>>();
  for (let round = 0; round < ROUNDS; round += 1) {
    // Alternating order, so neither client always runs against a warmer server.
    for (const client of round % 2 === 0 ? clients : [...clients].reverse()) {
      const results = await runRound(client, `${client.name.split(' ')[0]!.toLowerCase()}-${round}`);
      if (round > 0) keep(rows, client.name, results);
    }
  }
  return rows;
}

function keep(rows: Map<string, Map<string, Measure[]>>, client: string, results: Map<string, Measure>): void {
  const byOp = rows.get(client) ?? new Map<string, Measure[]>();
  for (const [op, measure] of results) byOp.set(op, [...(byOp.get(op) ?? []), measure]);
  rows.set(client, byOp);
}

async function runRound(client: ClientUnderTest, prefix: string): Promise<Map<string, Measure>> {
  const names = Array.from({ length: COUNT }, (_, index) => `${prefix}-${index}`);
  const results = new Map<string, Measure>();
  results.set('create', await measure(names.length, () => each(names, (name) => client.create(name))));
  results.set('get', await measure(names.length, () => each(names, (name) => client.read(name))));
  results.set('merge-patch', await measure(names.length, () => each(names, (name) => client.patch(name))));
  results.set(`list (${COUNT} items), 20×`, await measure(20, async () => {
    for (let index = 0; index < 20; index += 1) if ((await client.list()) < COUNT) throw new Error(`${client.name}: list came back short`);
  }));
  results.set('informer sync, 5×', await measure(5, async () => {
    for (let index = 0; index < 5; index += 1) if ((await client.informerSync()) < COUNT) throw new Error(`${client.name}: informer synced short`);
  }));
  results.set('delete', await measure(names.length, () => each(names, (name) => client.remove(name))));
  return results;
}

async function measure(operations: number, run: () => Promise<void>): Promise<Measure> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { opsPerSecond: operations / seconds, cpuMsPerOp: (used.user + used.system) / 1000 / operations };
}

/** Runs `task` over `items`, CONCURRENCY at a time, as a controller's workers would. */
async function each(items: readonly string[], task: (item: string) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

function secretBody(name: string): Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: NAMESPACE, labels: { bench: 'kube-client' } }, type: 'Opaque', data: { value: Buffer.from(name).toString('base64') } };
}

async function ours(kubeconfigPath: string): Promise<ClientUnderTest> {
  const connection = await connectKube({ kubeconfigPath });
  const api = new KubeHttpClient(connection);
  const secrets = new ResourceClient<Secret>(api, SECRETS);
  return {
    name: 'ours (src/kube)',
    create: (name) => secrets.create(secretBody(name)),
    read: (name) => secrets.get(NAMESPACE, name),
    patch: (name) => secrets.mergePatch(NAMESPACE, name, { metadata: { labels: { patched: 'yes' } } }),
    list: async () => (await secrets.listAll(NAMESPACE)).items.length,
    remove: (name) => secrets.delete(NAMESPACE, name),
    informerSync: async () => {
      const informer = new Informer<Secret>({ api, type: SECRETS, namespace: NAMESPACE });
      await informer.start();
      const size = informer.size;
      await informer.stop();
      return size;
    },
    close: () => connection.close(),
  };
}

function clientNode(kubeconfigPath: string): ClientUnderTest {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  const core = config.makeApiClient(CoreV1Api);
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  return {
    name: 'client-node (CoreV1Api)',
    create: (name) => core.createNamespacedSecret({ namespace: NAMESPACE, body: secretBody(name) as V1Secret }),
    read: (name) => core.readNamespacedSecret({ name, namespace: NAMESPACE }),
    patch: (name) => core.patchNamespacedSecret({ name, namespace: NAMESPACE, body: { metadata: { labels: { patched: 'yes' } } } }, merge),
    list: async () => (await core.listNamespacedSecret({ namespace: NAMESPACE })).items.length,
    remove: (name) => core.deleteNamespacedSecret({ name, namespace: NAMESPACE }),
    informerSync: async () => {
      const informer = makeInformer<V1Secret>(config, `/api/v1/namespaces/${NAMESPACE}/secrets`, () => core.listNamespacedSecret({ namespace: NAMESPACE }));
      await informer.start();
      const size = informer.list().length;
      await informer.stop();
      return size;
    },
    close: () => undefined,
  };
}

function printRows(rows: Map<string, Map<string, Measure[]>>): void {
  const average = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
  console.log(`Kubernetes client: ${COUNT} Secrets per round, ${CONCURRENCY} concurrent, mean of ${ROUNDS - 1} rounds after a warm-up; API-server double in a child process on 127.0.0.1`);
  console.log(`${'operation'.padEnd(28)}${[...rows.keys()].map((name) => `${name} ops/s, client CPU ms/op`.padStart(48)).join('')}`);
  const ops = [...(rows.values().next().value ?? new Map<string, Measure[]>()).keys()];
  for (const op of ops) {
    const cells = [...rows.values()].map((byOp) => {
      const measures = byOp.get(op) ?? [];
      return `${average(measures.map((m) => m.opsPerSecond)).toFixed(0)} ops/s, ${average(measures.map((m) => m.cpuMsPerOp)).toFixed(3)} ms`.padStart(48);
    });
    console.log(`${op.padEnd(28)}${cells.join('')}`);
  }
}

/** Import time and resident memory of each client in a fresh node process (median of 5). */
function printImportCost(): void {
  const targets: Array<[string, string]> = [
    ['ours: kube-http-client + resource-client + informer', `${ROOT}/dist/src/kube/kube-http-client.js','${ROOT}/dist/src/kube/resource-client.js','${ROOT}/dist/src/kube/informer.js`],
    ['@kubernetes/client-node', '@kubernetes/client-node'],
    ['nothing (node itself)', ''],
  ];
  console.log('\nimport cost in a fresh node process (median of 5)');
  for (const [label, specifiers] of targets) {
    const samples = Array.from({ length: 5 }, () => importCost(specifiers)).sort((a, b) => a.ms - b.ms);
    const median = samples[2]!;
    console.log(`${label.padEnd(56)}${median.ms.toFixed(0).padStart(6)} ms ${median.rssMiB.toFixed(1).padStart(7)} MiB RSS`);
  }
}

function importCost(specifiers: string): { ms: number; rssMiB: number } {
  const imports = specifiers === '' ? '' : `for (const s of ['${specifiers}']) await import(s);`;
  const script = `const t = performance.now(); ${imports} console.log(JSON.stringify({ ms: performance.now() - t, rssMiB: process.memoryUsage().rss / 2 ** 20 }));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`import of ${specifiers} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as { ms: number; rssMiB: number };
}

async function startCluster(): Promise<{ process: ChildProcess; kubeconfig: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'scripts/fake-cluster.mjs')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const kubeconfig = await new Promise<string>((resolvePath, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('\n')) resolvePath(output.split('\n')[0]!.trim());
    });
    child.once('exit', (code) => reject(new Error(`the fake cluster exited with ${code}`)));
  });
  return { process: child, kubeconfig };
}

await main();
