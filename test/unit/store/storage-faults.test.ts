import { mkdtempSync, openSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { problemFromStoreFault } from '../../../src/acme/problems.js';
import { httpErrorFromStoreFault } from '../../../src/api/store-fault-status.js';
import { DataDirectoryInUseError, DataDirectoryLock } from '../../../src/store/sqlite/data-directory-lock.js';
import { GroupCommit } from '../../../src/store/sqlite/group-commit.js';
import { DatabaseDamagedError } from '../../../src/store/sqlite/integrity-check.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { WriteHealth, type WriteHealthEvent } from '../../../src/store/sqlite/write-health.js';
import { StoreUnavailableError } from '../../../src/store/store-errors.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'smsgate-ca-faults-'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('a database that runs out of space (SQLite max_page_count: the SQLITE_FULL a full disk gives)', () => {
  let db: Database;

  beforeEach(() => {
    db = new BetterSqlite3(join(dir, 'full.db'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (v TEXT)');
  });

  afterEach(() => db.close());

  it('rejects the writes as StoreUnavailableError(full), reports failing once, and recovers with the first commit', async () => {
    const events: WriteHealthEvent[] = [];
    const health = new WriteHealth(() => new Date(0), (event) => events.push(event));
    const group = new GroupCommit(db, { health });
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    const big = 'x'.repeat(64 * 1024);

    const failures = await Promise.allSettled([group.run(() => db.prepare('INSERT INTO t VALUES (?)').run(big)), group.run(() => db.prepare('INSERT INTO t VALUES (?)').run(big))]);
    for (const failure of failures) {
      expect(failure.status).toBe('rejected');
      const error = (failure as PromiseRejectedResult).reason as StoreUnavailableError;
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect({ kind: error.kind, code: error.code }).toEqual({ kind: 'full', code: 'SQLITE_FULL' });
    }
    expect(health.failing?.fault.kind).toBe('full');
    expect(events.map((event) => event.kind)).toEqual(['failing']);

    db.pragma('max_page_count = 1000000');
    await group.run(() => db.prepare('INSERT INTO t VALUES (?)').run(big));
    expect(health.failing).toBeUndefined();
    expect(events.map((event) => event.kind)).toEqual(['failing', 'recovered']);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(1);
  });

  it('leaves a constraint violation the error it is (not a storage fault)', async () => {
    db.exec('CREATE TABLE u (v TEXT UNIQUE)');
    const health = new WriteHealth();
    const group = new GroupCommit(db, { health });
    await group.run(() => db.prepare('INSERT INTO u VALUES (?)').run('a'));
    const error = await group.run(() => db.prepare('INSERT INTO u VALUES (?)').run('a')).catch((caught: unknown) => caught);
    expect(error).not.toBeInstanceOf(StoreUnavailableError);
    expect((error as { code: string }).code).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect(health.failing).toBeUndefined();
  });
});

describe('what the doors answer for a storage fault', () => {
  const fault = new StoreUnavailableError('full', 'SQLITE_FULL');

  it('REST: 503 with Retry-After, and nothing for other errors', () => {
    const answer = httpErrorFromStoreFault(fault);
    expect({ status: answer?.status, headers: answer?.headers }).toEqual({ status: 503, headers: { 'Retry-After': '5' } });
    expect(httpErrorFromStoreFault(new Error('a bug'))).toBeUndefined();
  });

  it('ACME: a serverInternal problem with 503 and Retry-After', () => {
    const problem = problemFromStoreFault(fault);
    expect(problem.toJSON()).toMatchObject({ type: 'urn:ietf:params:acme:error:serverInternal', status: 503 });
    expect(problem.options.headers).toEqual({ 'Retry-After': '5' });
  });
});

describe('DataDirectoryLock', () => {
  it('refuses a second holder, naming the first, and is free again once released', () => {
    const first = DataDirectoryLock.acquire(dir, { command: 'serve', listen: '127.0.0.1:8443' });
    let refusal: unknown;
    try {
      DataDirectoryLock.acquire(dir, { command: 'serve' });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DataDirectoryInUseError);
    expect((refusal as Error).message).toContain(`in use by another smsgate-ca serve (PID ${process.pid} on ${hostname()}`);
    expect((refusal as Error).message).toContain('listening on 127.0.0.1:8443');
    first.release();
    DataDirectoryLock.acquire(dir, { command: 'serve' }).release();
  });
});

describe('SqliteStore.open on a damaged file', () => {
  it('throws DatabaseDamagedError naming the file, and leaves the file untouched', async () => {
    const file = join(dir, 'smsgate-ca.db');
    const store = SqliteStore.open(file);
    store.close();
    const { size } = statSync(file);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(8192, 'garbage!'), 0, 8192, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    const before = statSync(file);

    expect(() => SqliteStore.open(file)).toThrow(DatabaseDamagedError);
    expect(() => SqliteStore.open(file)).toThrow(`the database ${file} is damaged`);
    expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
  });
});
