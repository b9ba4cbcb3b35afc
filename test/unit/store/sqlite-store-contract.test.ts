import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { describeStoreContract } from '../../support/store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'smsgate-ca-store-contract-'));
const opened: SqliteStore[] = [];
let count = 0;

afterAll(() => {
  for (const store of opened) store.close();
  rmSync(dir, { recursive: true, force: true });
});

describeStoreContract('SQLite', () => {
  const store = SqliteStore.open(join(dir, `store-${++count}.db`));
  opened.push(store);
  return Promise.resolve(store);
});
