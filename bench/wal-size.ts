/**
 * How large the SQLite write-ahead log grows: N REST requests (submit, then the worker's approval,
 * each its own commit, as a trickle of single requests makes them) through the issuance service
 * over a real SqliteStore, once with SQLite's default WAL settings and once with the store's own
 * policy (WAL_POLICY), in the same run. Prints the WAL's peak and final size, the database size,
 * and the WAL after an idle checkpoint. Run: npm run bench:wal. BENCH_REQUESTS (default 2000)
 * bounds the count.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildClientCsr, Ipv4RangeSet, LeafSigner, systemClock } from '../src/ca/index.js';
import { IssuanceService } from '../src/issuance/issuance-service.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { WAL_POLICY, type WalPolicy } from '../src/store/sqlite/wal-checkpointer.js';
import { silentLogger } from '../src/telemetry/logger.js';
import { freshIntermediate } from './bench-ca.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
/** SQLite's own defaults: checkpoint at 1000 pages, never shrink the WAL, no idle checkpoint. */
const SQLITE_DEFAULTS: WalPolicy = { autocheckpointPages: 1000, journalSizeLimitBytes: -1, idleCheckpointMs: 0 };

interface Row {
  readonly policy: string;
  readonly peakWal: number;
  readonly finalWal: number;
  readonly database: number;
  readonly afterIdleCheckpoint: number;
}

async function main(): Promise<void> {
  const ranges = Ipv4RangeSet.defaults;
  const material = freshIntermediate('ecdsa-p256', ranges);
  const csrs = Array.from({ length: REQUESTS }, (_, index) => buildClientCsr(`10.${(index >> 16) & 255}.${(index >> 8) & 255}.${(index & 255) || 1}`).csrPem);
  const signer = new LeafSigner(material);
  const rows = [await measure('SQLite defaults', SQLITE_DEFAULTS, csrs, signer, ranges), await measure('smsgate-ca (WAL_POLICY)', WAL_POLICY, csrs, signer, ranges)];
  console.log(`WAL size over ${REQUESTS} REST requests (submit + approval, one at a time)`);
  console.log(['policy'.padEnd(26), 'peak WAL'.padStart(10), 'final WAL'.padStart(10), 'database'.padStart(10), 'WAL after idle checkpoint'.padStart(26)].join(' '));
  for (const row of rows) {
    console.log([row.policy.padEnd(26), kib(row.peakWal).padStart(10), kib(row.finalWal).padStart(10), kib(row.database).padStart(10), kib(row.afterIdleCheckpoint).padStart(26)].join(' '));
  }
}

async function measure(policy: string, wal: WalPolicy, csrs: readonly string[], signer: LeafSigner, ranges: Ipv4RangeSet): Promise<Row> {
  const dir = await mkdtemp(join(tmpdir(), 'smsgate-ca-bench-wal-'));
  const file = join(dir, 'smsgate-ca.db');
  // No idle checkpoint during the run: it is measured separately at the end.
  const store = SqliteStore.open(file, { wal: { ...wal, idleCheckpointMs: 0 } });
  try {
    const service = new IssuanceService({ store, signer, allowedRanges: ranges, clock: systemClock, logger: silentLogger() });
    let peakWal = 0;
    for (const csrPem of csrs) {
      const { record } = await service.submit({ csrPem, type: 'webhook', metadata: {}, requester: '127.0.0.1' });
      await service.processPending([record.id]);
      peakWal = Math.max(peakWal, await sizeOf(`${file}-wal`));
    }
    const finalWal = await sizeOf(`${file}-wal`);
    const database = await sizeOf(file);
    store.checkpoint();
    return { policy, peakWal, finalWal, database, afterIdleCheckpoint: await sizeOf(`${file}-wal`) };
  } finally {
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function sizeOf(path: string): Promise<number> {
  return (await stat(path).catch(() => ({ size: 0 }))).size;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}

await main();
