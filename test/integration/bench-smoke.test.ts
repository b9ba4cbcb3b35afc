import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, run } from '../support/cli.js';

/**
 * Each benchmark runs end to end with tiny bounds, so a broken bench script fails CI. The figures
 * themselves are not asserted (no timed assertions in tests): only that every row measured work.
 */
function runBench(name: string, env: Record<string, string>) {
  return run(process.execPath, [join(REPO_ROOT, 'dist/bench', `${name}.js`)], { env: { ...process.env, ...env } });
}

/** The numbers of a printed table row whose first cell matches `label`. */
function rowNumbers(output: string, label: RegExp): number[][] {
  return output
    .split('\n')
    .filter((line) => label.test(line))
    .map((line) => (line.match(/\d+(\.\d+)?/g) ?? []).map(Number));
}

describe('benchmarks run and measure something', () => {
  it('bench:sign prints a positive rate for both CA key types', async () => {
    const result = await runBench('sign', { BENCH_SECONDS: '0.2' });
    expect(result.code).toBe(0);
    for (const label of [/^\s*ecdsa-p256\s/, /^\s*rsa-2048\s/]) {
      const [row] = rowNumbers(result.stdout, label);
      expect(row, result.stdout).toBeDefined();
      expect(row!.slice(1).every((value) => value > 0)).toBe(true); // skip the "256"/"2048" of the label
    }
  });

  it('bench:rest issues certificates at 1 and 2 clients', async () => {
    const result = await runBench('rest', { BENCH_REQUESTS: '10', BENCH_SECONDS: '10', BENCH_CLIENTS: '1,2', BENCH_WARMUP_REQUESTS: '5' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/server peak RSS: \d+(\.\d+)? MiB/);
    expect(result.stdout).toMatch(/^1\s+10\s/m); // one client, ten certificates issued
    expect(result.stdout).toMatch(/^2\s+10\s/m);
  });

  it('bench:admin-handshake measures handshakes with the client CA off, on without and on with a certificate', async () => {
    const result = await runBench('admin-handshake', { BENCH_HANDSHAKES: '6', BENCH_ROUNDS: '2' });
    expect(result.code, result.stderr).toBe(0);
    for (const label of [/^off\s/, /^on, no cert\s/, /^on, cert\s/]) {
      const [row] = rowNumbers(result.stdout, label);
      expect(row, result.stdout).toBeDefined();
      expect(row!.every((value) => value > 0)).toBe(true);
    }
  });

  it('bench:wal measures the WAL under both policies', async () => {
    const result = await runBench('wal-size', { BENCH_REQUESTS: '20' });
    expect(result.code, result.stderr).toBe(0);
    for (const label of [/^SQLite defaults\s/, /^smsgate-ca \(WAL_POLICY\)\s/]) {
      const [row] = rowNumbers(result.stdout, label);
      expect(row, result.stdout).toBeDefined();
      expect(row!.at(-2)! > 0).toBe(true); // the database holds the 20 requests
    }
  });

    it('bench:acme completes orders against this server (SQLite and cluster mode on the double) and Pebble', async () => {
    const result = await runBench('acme', { BENCH_ACME_ORDERS: '3', BENCH_ACME_SECONDS: '30' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\| smsgate-ca \| 1 \| 3 \|/);
    // Cluster mode: the API requests per order are counted (a number in that column).
    expect(result.stdout).toMatch(/\| smsgate-ca cluster 20\/50 \| 1 \| 3 \| [\d.]+ \| [\d.]+ \| [\d.]+ \| \d+\.\d \|/);
    expect(result.stdout).toMatch(/\| smsgate-ca cluster unlimited \| 16 \| 3 \|/);
    expect(result.stdout).toMatch(/\| Pebble \| 1 \| 3 \|/);
  });

  it('bench:kube-client runs the same loop with our client and client-node', async () => {
    const result = await runBench('kube-client', { BENCH_COUNT: '10', BENCH_ROUNDS: '2' });
    expect(result.code, result.stderr).toBe(0);
    for (const label of [/^create\s/, /^get\s/, /^merge-patch\s/, /^list /, /^informer sync/, /^delete\s/]) {
      const [row] = rowNumbers(result.stdout, label);
      expect(row, result.stdout).toBeDefined();
      expect(row!.filter((value) => value > 0).length).toBeGreaterThanOrEqual(4); // ops/s and CPU for both clients
    }
    expect(rowNumbers(result.stdout, /^@kubernetes\/client-node\s/)[0]?.length).toBe(2);
  });

  it('bench:der-codec measures the core and @peculiar/x509 on the same inputs', async () => {
    const result = await runBench('der-codec', { BENCH_SECONDS: '0.05' });
    expect(result.code, result.stderr).toBe(0);
    for (const label of [/^CSR: parse/, /^certificate: parse/, /^leaf: build/]) {
      const [row] = rowNumbers(result.stdout, label);
      expect(row, result.stdout).toBeDefined();
      expect(row!.slice(-3).every((value) => value > 0)).toBe(true);
    }
  });

  it('bench:controller brings a small batch of CertificateRequests to Ready', async () => {
    const result = await runBench('controller', { BENCH_COUNTS: '20', BENCH_SECONDS: '60' });
    expect(result.code, result.stderr).toBe(0);
    const [row] = rowNumbers(result.stdout, /^\s*20\s/);
    expect(row, result.stdout).toBeDefined();
    expect(row![1]).toBe(20); // all twenty Ready
    expect(row!.at(-2)).toBe(20); // twenty Secrets
  });

  it('bench:startup times npm start and serve, and reads idle RSS standalone and in cluster mode', async () => {
    const result = await runBench('startup', { BENCH_RUNS: '1', BENCH_REQUESTS: '50', BENCH_IDLE_SECONDS: '1', BENCH_SECONDS: '60' });
    expect(result.code, result.stderr).toBe(0);
    for (const label of [/^npm start → listening \(built tree, existing CA\)\s+(\d+) ms/m, /^node bin\/smsgate-ca\.js serve → listening \(50 requests in the store\)\s+(\d+) ms/m]) {
      const value = label.exec(result.stdout)?.[1];
      expect(value, result.stdout).toBeDefined();
      expect(Number(value)).toBeGreaterThan(0);
    }
    expect(result.stdout).toMatch(/^serve idle RSS, standalone .* \d+\.\d MiB → \d+\.\d MiB {3}\[bare node, idle: \d+\.\d MiB\]$/m);
    expect(result.stdout).toMatch(/^serve idle RSS, cluster mode .* \d+\.\d MiB → \d+\.\d MiB/m);
  });
});
