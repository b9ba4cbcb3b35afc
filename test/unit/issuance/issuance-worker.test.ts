import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/ca/index.js';
import { IssuanceWorker, type PendingProcessor } from '../../../src/issuance/issuance-worker.js';
import { silentLogger } from '../../../src/telemetry/logger.js';

/** A processor that records batches and resolves a promise once `expected` ids were processed. */
function recordingProcessor(initial: Array<{ id: string; createdAt: Date }>, expected: number, failFirst = 0) {
  const batches: string[][] = [];
  let failures = failFirst;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const processor: PendingProcessor = {
    listPending: async () => initial,
    processPending: async (ids) => {
      if (failures-- > 0) throw new Error('disk full');
      batches.push([...ids]);
      if (batches.flat().length >= expected) resolveDone();
    },
  };
  return { processor, batches, done };
}

describe('IssuanceWorker', () => {
  it('resumes what was pending at start, oldest first', async () => {
    const old = new Date(Date.now() - 60_000);
    const { processor, batches, done } = recordingProcessor(
      [
        { id: 'REQ_1', createdAt: old },
        { id: 'REQ_2', createdAt: new Date(old.getTime() + 1) },
      ],
      2,
    );
    const worker = new IssuanceWorker({ processor, clock: systemClock, logger: silentLogger() });
    await worker.start();
    await done;
    await worker.stop();
    expect(batches.flat()).toEqual(['REQ_1', 'REQ_2']);
  });

  it('processes enqueued requests in batches of at most batchSize, each id once', async () => {
    const { processor, batches, done } = recordingProcessor([], 5);
    const worker = new IssuanceWorker({ processor, clock: systemClock, logger: silentLogger(), batchSize: 2 });
    await worker.start();
    const now = new Date();
    for (const id of ['A', 'B', 'C', 'D', 'E', 'A']) worker.enqueue({ id, createdAt: now });
    await done;
    await worker.stop();
    expect(batches.flat()).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(2);
  });

  it('holds requests for signDelayMs: a request created long ago is due at once, a new one is not', async () => {
    const { processor, batches, done } = recordingProcessor([], 1);
    const worker = new IssuanceWorker({ processor, clock: systemClock, logger: silentLogger(), signDelayMs: 3_600_000 });
    await worker.start();
    worker.enqueue({ id: 'NEW', createdAt: new Date() });
    worker.enqueue({ id: 'OLD', createdAt: new Date(Date.now() - 7_200_000) });
    await done;
    await worker.stop();
    expect(batches.flat()).toEqual(['OLD']);
    expect(worker.queueLength).toBe(1);
  });

  it('retries a batch whose step failed', async () => {
    const { processor, batches, done } = recordingProcessor([], 1, 1);
    const worker = new IssuanceWorker({ processor, clock: systemClock, logger: silentLogger(), retryDelayMs: 1 });
    await worker.start();
    worker.enqueue({ id: 'X', createdAt: new Date() });
    await done;
    await worker.stop();
    expect(batches).toEqual([['X']]);
  });

  it('takes nothing after stop', async () => {
    const { processor, batches } = recordingProcessor([], 1);
    const worker = new IssuanceWorker({ processor, clock: systemClock, logger: silentLogger() });
    await worker.start();
    expect(worker.running).toBe(true);
    await worker.stop();
    worker.enqueue({ id: 'LATE', createdAt: new Date() });
    await new Promise((resolve) => setImmediate(resolve));
    expect(worker.running).toBe(false);
    expect(batches).toEqual([]);
  });
});
