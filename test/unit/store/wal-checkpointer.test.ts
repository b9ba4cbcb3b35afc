import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'smsgate-ca-wal-'));
});

afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

const walSize = (file: string) => statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;

describe('the WAL policy of SqliteStore', () => {
  it('keeps the WAL near its autocheckpoint size under writes, and truncates it to zero once writes are quiet', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const file = join(dir, 'smsgate-ca.db');
    const store = SqliteStore.open(file, { wal: { autocheckpointPages: 16, journalSizeLimitBytes: 64 * 1024, idleCheckpointMs: 30_000 } });
    try {
      let peak = 0;
      for (let index = 0; index < 60; index++) {
        // About 4 KiB a write: an audit entry whose detail fills most of a page.
        await store.append({ at: new Date(0), door: 'rest', requester: '127.0.0.1', event: 'refused', detail: `${index} ${'x'.repeat(3500)}` });
        peak = Math.max(peak, walSize(file));
      }
      // 16 pages of 4 KiB, plus the frames of the commit that crossed the line.
      expect(peak).toBeLessThan(32 * 4096 + 64 * 1024);
      expect(walSize(file)).toBeGreaterThan(0);
      vi.advanceTimersByTime(30_000);
      expect(walSize(file)).toBe(0);
    } finally {
      store.close();
    }
  });
});
