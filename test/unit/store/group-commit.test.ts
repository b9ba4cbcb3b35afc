import BetterSqlite3, { type Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../../src/store/sqlite/group-commit.js';

let db: Database;
let commits: number;

/** Counts outer transactions (the ones GroupCommit runs with .immediate()). */
function counting(database: Database): Database {
  return new Proxy(database, {
    get(target, property, receiver) {
      if (property !== 'transaction') return Reflect.get(target, property, receiver) as unknown;
      return (fn: (...args: unknown[]) => unknown) => {
        const wrapped = target.transaction(fn);
        return Object.assign((...args: unknown[]) => wrapped(...args), {
          immediate: (...args: unknown[]) => {
            commits++;
            return wrapped.immediate(...args);
          },
        });
      };
    },
  });
}

beforeEach(() => {
  db = new BetterSqlite3(':memory:');
  db.exec('CREATE TABLE t (v TEXT UNIQUE)');
  commits = 0;
});

afterEach(() => db.close());

const insert = (value: string) => () => db.prepare('INSERT INTO t (v) VALUES (?)').run(value).changes;
const values = () => db.prepare('SELECT v FROM t ORDER BY v').pluck().all();

describe('GroupCommit', () => {
  it('commits the writes of one event-loop turn in one transaction, in order', async () => {
    const group = new GroupCommit(counting(db));
    const results = await Promise.all([group.run(insert('a')), group.run(insert('b')), group.run(() => values())]);
    expect(results).toEqual([1, 1, ['a', 'b']]);
    expect(commits).toBe(1);
    await group.run(insert('c'));
    expect(commits).toBe(2);
  });

  it('a failing write rolls back alone and rejects only its own promise', async () => {
    const group = new GroupCommit(counting(db));
    const outcomes = await Promise.allSettled([
      group.run(insert('a')),
      group.run(() => {
        insert('b')();
        insert('a')(); // UNIQUE violation after a partial write
      }),
      group.run(insert('c')),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(values()).toEqual(['a', 'c']);
    expect(commits).toBe(1);
  });

  it('splits large batches and flushes on demand', async () => {
    const group = new GroupCommit(counting(db), { maxBatch: 2 });
    const pending = ['a', 'b', 'c', 'd', 'e'].map((value) => group.run(insert(value)));
    group.flush();
    expect(values()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(commits).toBe(3);
    await Promise.all(pending);
  });

  it('rejects the whole batch when the commit itself fails, and keeps nothing of it', async () => {
    db.exec('PRAGMA foreign_keys = ON');
    db.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY)');
    db.exec('CREATE TABLE child (p INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)');
    const group = new GroupCommit(db);
    // A deferred constraint is checked only at COMMIT, so every savepoint succeeds and the commit fails.
    const outcomes = await Promise.allSettled([group.run(insert('a')), group.run(() => db.prepare('INSERT INTO child (p) VALUES (99)').run())]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(db.inTransaction).toBe(false);
    expect(values()).toEqual([]);
    await group.run(insert('b'));
    expect(values()).toEqual(['b']);
  });
});
