import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { describeAcmeStoreContract } from '../../support/acme-store-contract.js';

/** The ACME store contract on SQLite: each backing is a database file; a second open is a second connection (or the next process). */
const stores: SqliteStore[] = [];
let dir: string | undefined;

afterAll(async () => {
  for (const store of stores) store.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describeAcmeStoreContract('SQLite', async () => {
  dir ??= await mkdtemp(join(tmpdir(), 'smsgate-ca-acme-store-'));
  const file = join(dir, `${stores.length}-${Math.random().toString(36).slice(2)}.db`);
  return {
    open: async () => {
      const store = SqliteStore.open(file);
      stores.push(store);
      return { acme: store.acme(), ledger: store };
    },
  };
});

describe('SqliteAcmeStore durability', () => {
  it('progress writes relax fsync only for themselves: the connection keeps its durable setting', async () => {
    const sqlite = SqliteStore.open(':memory:');
    stores.push(sqlite);
    const store = sqlite.acme();
    const db = (store as unknown as { db: { pragma(text: string, options: object): unknown } }).db;
    const before = db.pragma('synchronous', { simple: true });
    await store.chargeRateLimit('new-order', 'a', { max: 1, periodMs: 1000 }, new Date());
    await store.collectExpired(new Date());
    expect(db.pragma('synchronous', { simple: true })).toBe(before);
  });
});
