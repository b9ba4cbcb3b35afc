import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay } from '../../../src/shared/backoff.js';
import { WorkQueue } from '../../../src/controller/runtime/work-queue.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

/** A handler whose calls stay in flight until released, so interleavings can be driven by hand. */
function controlledHandler() {
  const calls: string[] = [];
  const pending: Array<() => void> = [];
  const handler = (key: string) => {
    calls.push(key);
    return new Promise<void>((resolve) => pending.push(resolve));
  };
  const releaseAll = async () => {
    for (const release of pending.splice(0)) release();
    await vi.advanceTimersByTimeAsync(0);
  };
  return { calls, handler, releaseAll };
}

describe('WorkQueue', () => {
  it('hands a key queued many times to one worker once', async () => {
    const queue = new WorkQueue({ concurrency: 4 });
    const { calls, handler, releaseAll } = controlledHandler();
    queue.add('a');
    queue.add('a');
    queue.add('b');
    queue.start(handler);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual(['a', 'b']);
    await releaseAll();
    expect(calls).toEqual(['a', 'b']);
  });

  it('never runs the same key twice at once: an add during processing runs after it', async () => {
    const queue = new WorkQueue({ concurrency: 4 });
    const { calls, handler, releaseAll } = controlledHandler();
    queue.start(handler);
    queue.add('a');
    await vi.advanceTimersByTimeAsync(0);
    queue.add('a');
    queue.add('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual(['a']);
    expect(queue.inFlight).toBe(1);
    await releaseAll();
    expect(calls).toEqual(['a', 'a']);
    await releaseAll();
    expect(calls).toEqual(['a', 'a']);
  });

  it('respects the concurrency limit', async () => {
    const queue = new WorkQueue({ concurrency: 2 });
    const { calls, handler, releaseAll } = controlledHandler();
    queue.start(handler);
    for (const key of ['a', 'b', 'c', 'd']) queue.add(key);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual(['a', 'b']);
    await releaseAll();
    expect(calls).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps only the earliest delayed add per key', async () => {
    const queue = new WorkQueue();
    const seen: Array<[string, number]> = [];
    queue.start(async (key) => void seen.push([key, Date.now()]));
    const t0 = Date.now();
    queue.addAfter('a', 5000);
    queue.addAfter('a', 1000);
    queue.addAfter('a', 3000);
    await vi.advanceTimersByTimeAsync(999);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual([['a', t0 + 1000]]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(seen).toHaveLength(1);
  });

  it('re-arms delays beyond setTimeout’s limit', async () => {
    const queue = new WorkQueue();
    const seen: string[] = [];
    queue.start(async (key) => void seen.push(key));
    const thirtyDays = 30 * 86_400_000;
    queue.addAfter('renew', thirtyDays);
    await vi.advanceTimersByTimeAsync(thirtyDays - 1000);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(seen).toEqual(['renew']);
  });

  it('backs off exponentially per key until forgotten', async () => {
    const queue = new WorkQueue({ backoff: { initialMs: 100, maxMs: 1000 } });
    queue.start(async () => undefined);
    expect([1, 2, 3, 4, 5].map(() => queue.addRateLimited('a'))).toEqual([100, 200, 400, 800, 1000]);
    expect(queue.addRateLimited('b')).toBe(100);
    queue.forget('a');
    expect(queue.failuresOf('a')).toBe(0);
    expect(queue.addRateLimited('a')).toBe(100);
  });

  it('drops delayed adds on cancel and on shutdown', async () => {
    const queue = new WorkQueue();
    const seen: string[] = [];
    queue.start(async (key) => void seen.push(key));
    queue.addAfter('x', 100);
    queue.addAfter('y', 100);
    queue.cancelDelayed('x');
    await vi.advanceTimersByTimeAsync(100);
    expect(seen).toEqual(['y']);
    queue.addAfter('z', 100);
    await queue.shutdown();
    await vi.advanceTimersByTimeAsync(1000);
    queue.add('w');
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(['y']);
  });

  it('idle() waits for queued and in-flight keys', async () => {
    const queue = new WorkQueue({ concurrency: 1 });
    const { handler, releaseAll } = controlledHandler();
    queue.start(handler);
    queue.add('a');
    queue.add('b');
    let idle = false;
    void queue.idle().then(() => (idle = true));
    await releaseAll();
    expect(idle).toBe(false);
    await releaseAll();
    expect(idle).toBe(true);
  });
});

describe('backoffDelay', () => {
  it('doubles from the initial delay and caps', () => {
    expect([0, 1, 2, 3, 30, 1000].map((failures) => backoffDelay(failures, { initialMs: 250, maxMs: 300_000 }))).toEqual([0, 250, 500, 1000, 300_000, 300_000]);
  });
});
