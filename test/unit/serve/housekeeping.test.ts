import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startHousekeeping, type HousekeepingTask } from '../../../src/serve/housekeeping.js';
import { silentLogger } from '../../../src/telemetry/logger.js';

describe('housekeeping rounds', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function counting(name: string, run: () => Promise<unknown> = async () => 'done'): HousekeepingTask & { runs: number } {
    const task = { name, runs: 0, run: async () => { task.runs += 1; return run(); } };
    return task;
  }

  it('runs every task on the leader after the first delay and then at each interval; never on a follower', async () => {
    let leading = false;
    const task = counting('acme');
    const housekeeping = startHousekeeping({ tasks: [task], leads: () => leading, logger: silentLogger(), firstDelayMs: 1_000, intervalMs: 10_000 });
    await vi.advanceTimersByTimeAsync(999);
    expect(task.runs).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(task.runs).toBe(0); // not the leader
    leading = true;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(task.runs).toBe(1);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(task.runs).toBe(3);
    housekeeping.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(task.runs).toBe(3);
  });

  it('a failing task is logged and the next one still runs; overlapping rounds share one run', async () => {
    const warnings: unknown[] = [];
    const logger = { ...silentLogger(), warn: (...args: unknown[]) => void warnings.push(args) } as ReturnType<typeof silentLogger>;
    let release: () => void = () => undefined;
    const failing = counting('acme', async () => { throw new Error('API server unavailable'); });
    const slow = counting('record-retention', () => new Promise<void>((resolve) => (release = resolve)));
    const housekeeping = startHousekeeping({ tasks: [failing, slow], leads: () => true, logger, firstDelayMs: 60_000 });
    const first = housekeeping.round();
    const second = housekeeping.round();
    await vi.advanceTimersByTimeAsync(0);
    release();
    await Promise.all([first, second]);
    expect([failing.runs, slow.runs]).toEqual([1, 1]);
    expect(warnings).toHaveLength(1);
    housekeeping.stop();
  });
});
