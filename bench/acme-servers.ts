/** Starts the two ACME servers bench/acme.ts compares, and reads a process's CPU time and RSS. */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { startFakeApiServer, type JsonObject } from '../test/support/fake-apiserver/index.js';

export interface BenchServer {
  readonly name: string;
  readonly directoryUrl: string;
  readonly caPem: string;
  readonly pid: number;
  /** Kubernetes API requests the server made so far (cluster mode only). */
  apiRequests?(): number;
  stop(): Promise<void>;
}

const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/** `smsgate-ca serve` from the build, ACME limits off, validating http-01 on `http01Port`. */
export async function startSmsgateCa(http01Port: number): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-acme-ours-'));
  const child = spawn(
    process.execPath,
    [join(REPO, 'bin/smsgate-ca.js'), 'serve', '--data-dir', dir, '--listen', '127.0.0.1:0', '--allowed-cidrs', '127.0.0.0/8', '--log-level', 'warn',
      '--acme-http01-port', String(http01Port), '--acme-new-account-rate', '0', '--acme-new-order-rate', '0',
        // Pebble runs with PEBBLE_AUTHZREUSE=0: validate every order here too, for a like-for-like figure.
        '--acme-reuse-valid-authz', 'false'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = await waitFor(child, /listening on (https:\/\/127\.0\.0\.1:\d+)/);
  return { name: 'smsgate-ca', directoryUrl: `${output[1]}/acme/directory`, caPem: readFileSync(join(dir, 'ca/root.crt'), 'utf8'), pid: child.pid!, stop: () => stop(child) };
}

/**
 * `smsgate-ca serve` in cluster mode against the API-server double (in this process, so its CPU is
 * this process's, not the server's): ACME state, ledger and CA Secret as objects. `kubeApi` sets
 * --kube-api-qps/--kube-api-burst (the defaults, 20/50, when absent).
 */
export async function startSmsgateCaInCluster(http01Port: number, name: string, kubeApi?: { qps: number; burst: number }): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-acme-cluster-'));
  const fake = await startFakeApiServer({ requestLogLimit: 10_000_000 });
  for (const file of readdirSync(join(REPO, 'crds')).filter((entry) => entry.endsWith('.yaml'))) {
    for (const document of parseAllDocuments(readFileSync(join(REPO, 'crds', file), 'utf8'))) {
      const crd = document.toJSON() as JsonObject | null;
      if (crd) fake.objects.create(crd);
    }
  }
  await fake.settle();
  const child = spawn(
    process.execPath,
    [join(REPO, 'bin/smsgate-ca.js'), 'serve', '--kubeconfig', fake.kubeconfigPath, '--ca-secret', 'smsgate-ca', '--namespace', 'default', '--pod-name', 'bench-0',
      '--data-dir', dir, '--listen', '127.0.0.1:0', '--allowed-cidrs', '127.0.0.0/8', '--log-level', 'warn',
      '--acme-http01-port', String(http01Port), '--acme-new-account-rate', '0', '--acme-new-order-rate', '0', '--acme-reuse-valid-authz', 'false',
      ...(kubeApi ? ['--kube-api-qps', String(kubeApi.qps), '--kube-api-burst', String(kubeApi.burst)] : [])],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = await waitFor(child, /listening on (https:\/\/127\.0\.0\.1:\d+)/);
  const secret = fake.objects.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'default', name: 'smsgate-ca' })!;
  const caPem = Buffer.from(String((secret['data'] as Record<string, string>)['ca.crt']), 'base64').toString('utf8');
  return {
    name,
    directoryUrl: `${output[1]}/acme/directory`,
    caPem,
    pid: child.pid!,
    apiRequests: () => fake.requests.entries().length,
    stop: async () => {
      await stop(child);
      await fake.close();
    },
  };
}

/**
 * Debian's Pebble on 127.0.0.1 with a throwaway TLS certificate (the package ships none), its VA
 * dialing `http01Port`, DNS pointed at a closed loopback port so nothing leaves the machine.
 */
export async function startPebble(http01Port: number, listenPort: number): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-acme-pebble-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=pebble bench',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  writeFileSync(join(dir, 'pebble.json'), JSON.stringify({
    pebble: {
      listenAddress: `127.0.0.1:${listenPort}`,
      managementListenAddress: `127.0.0.1:${listenPort + 1}`,
      certificate: join(dir, 'cert.pem'),
      privateKey: join(dir, 'key.pem'),
      httpPort: http01Port,
      tlsPort: 1,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
    },
  }));
  const child = spawn('pebble', ['-config', join(dir, 'pebble.json'), '-dnsserver', '127.0.0.1:9'], {
    env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await waitFor(child, /ACME directory available at: (\S+)/);
  return { name: 'Pebble', directoryUrl: `https://127.0.0.1:${listenPort}/dir`, caPem: readFileSync(join(dir, 'cert.pem'), 'utf8'), pid: child.pid!, stop: () => stop(child) };
}

/** CPU time (user + system) of a process in milliseconds, from /proc. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS;
}

export function rssKiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0);
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function waitFor(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  let output = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolvePromise(match);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited (${code}):\n${output}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolvePromise) => {
    if (child.exitCode !== null) return resolvePromise();
    child.once('exit', () => resolvePromise());
    child.kill('SIGTERM');
  });
}
