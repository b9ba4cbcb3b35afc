import { describe, expect, it } from 'vitest';
import { AcmeProblem } from '../../../src/acme/problems.js';
import { ValidationQueue, type ValidationJob } from '../../../src/acme/validation/validation-queue.js';
import type { ValidationOutcome, ValidationRequest } from '../../../src/acme/validation/validation-types.js';

const request: ValidationRequest = { type: 'http-01', ip: '10.0.0.1', token: 't', keyAuthorization: 't.k' };
const failed: ValidationOutcome = { valid: false, problem: new AcmeProblem('connection', 'refused') };

function job(id: string): ValidationJob {
  return { challengeId: id, request };
}

describe('ValidationQueue', () => {
  it('retries a failing validation up to the attempt limit, then settles once with the failure', async () => {
    let calls = 0;
    const settled: Array<[string, boolean]> = [];
    const queue = new ValidationQueue({
      validate: async () => (++calls < 3 ? failed : { valid: true }),
      settle: async (settledJob, outcome) => void settled.push([settledJob.challengeId, outcome.valid]),
      concurrency: 1,
      maxQueued: 10,
      attempts: 2,
      retryDelayMs: 1,
      startDelayMs: 0,
    });
    void queue.enqueue(job('a'));
    await queue.idle();
    expect(calls).toBe(2);
    expect(settled).toEqual([['a', false]]);
  });

  it('stops at the first success', async () => {
    let calls = 0;
    const settled: boolean[] = [];
    const queue = new ValidationQueue({
      validate: async () => (++calls === 1 ? failed : { valid: true }),
      settle: async (_job, outcome) => void settled.push(outcome.valid),
      concurrency: 1,
      maxQueued: 10,
      attempts: 5,
      retryDelayMs: 1,
      startDelayMs: 0,
    });
    const outcome = await queue.enqueue(job('a'));
    await queue.idle();
    expect([calls, settled, outcome?.valid]).toEqual([2, [true], true]);
  });

  it('never runs more than `concurrency` validations at once and refuses jobs beyond maxQueued', async () => {
    let running = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    const queue = new ValidationQueue({
      validate: () => {
        running += 1;
        peak = Math.max(peak, running);
        return new Promise((resolve) => releases.push(() => ((running -= 1), resolve({ valid: true }))));
      },
      settle: async () => undefined,
      concurrency: 2,
      maxQueued: 3,
      attempts: 1,
      retryDelayMs: 0,
      startDelayMs: 0,
    });
    const accepted = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => queue.enqueue(job(id)) !== undefined);
    expect(accepted).toEqual([true, true, true, true, true, false]);
    expect(queue.hasRoom()).toBe(false);
    while (releases.length > 0 || running > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await queue.idle();
    expect(peak).toBe(2);
  });

  it('an unexpected error becomes a serverInternal failure, reported once', async () => {
    const errors: unknown[] = [];
    const outcomes: ValidationOutcome[] = [];
    const queue = new ValidationQueue({
      validate: async () => {
        throw new Error('boom');
      },
      settle: async (_job, outcome) => void outcomes.push(outcome),
      concurrency: 1,
      maxQueued: 1,
      attempts: 1,
      retryDelayMs: 0,
      startDelayMs: 0,
      onError: (error) => errors.push(error),
    });
    void queue.enqueue(job('a'));
    await queue.idle();
    expect(errors).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ valid: false, problem: { type: 'serverInternal' } });
  });
});
