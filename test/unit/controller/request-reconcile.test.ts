import { describe, expect, it } from 'vitest';
import { CaError } from '../../../src/ca/index.js';
import { KubeApiError } from '../../../src/kube/kube-errors.js';
import { reconcileRequest, UnwrittenCertificates, type RequestSteps } from '../../../src/controller/request-reconcile.js';
import { DONE, RETRY } from '../../../src/controller/runtime/reconcile-outcome.js';

interface Signed {
  readonly serial: string;
  readonly spec: number;
}

/** Steps that record what the routine asked of them. */
function steps(overrides: Partial<RequestSteps<Signed>> = {}): RequestSteps<Signed> & { readonly calls: string[] } {
  const calls: string[] = [];
  let serial = 0;
  return {
    calls,
    uid: 'u1',
    retryDeadline: new Date('2026-01-01T01:00:00Z'),
    now: () => new Date('2026-01-01T00:30:00Z'),
    sign: () => {
      calls.push('sign');
      return Promise.resolve({ serial: String(++serial), spec: 1 });
    },
    refuse: (reason, error) => {
      calls.push(`refuse ${reason} ${error.reason}`);
      return Promise.resolve(DONE);
    },
    store: (signed) => {
      calls.push(`store ${signed.serial}`);
      return Promise.resolve(true);
    },
    announce: (signed) => {
      calls.push(`announce ${signed.serial}`);
      return Promise.resolve({ requeueAfterMs: 1000 });
    },
    retrying: (failure) => {
      calls.push(`retrying ${failure.message}`);
      return Promise.resolve();
    },
    giveUp: (failure) => {
      calls.push(`giveUp ${failure.message}`);
      return Promise.resolve(DONE);
    },
    ...overrides,
  };
}

describe('reconcileRequest: sign once → store → announce', () => {
  it('signs, stores, announces and forgets the certificate', async () => {
    const unwritten = new UnwrittenCertificates<Signed>();
    const run = steps();
    expect(await reconcileRequest(unwritten, run)).toEqual({ requeueAfterMs: 1000 });
    expect(run.calls).toEqual(['sign', 'store 1', 'announce 1']);
    expect(unwritten.size).toBe(0);
  });

  it('a conflict while storing keeps the certificate: the retry stores the same one, never signs twice', async () => {
    const unwritten = new UnwrittenCertificates<Signed>();
    const conflict = new KubeApiError(409, 'Conflict', 'the object has been modified', 'PATCH', '/x');
    const failing = steps({ store: () => Promise.reject(conflict) });
    await expect(reconcileRequest(unwritten, failing)).rejects.toBe(conflict);
    expect(unwritten.get('u1')).toEqual({ serial: '1', spec: 1 });
    const retry = steps();
    await reconcileRequest(unwritten, retry);
    expect(retry.calls).toEqual(['store 1', 'announce 1']);
  });

  it('signs again when the earlier certificate no longer fits the object', async () => {
    const unwritten = new UnwrittenCertificates<Signed>();
    unwritten.set('u1', { serial: 'old', spec: 0 });
    const run = steps({ stillFits: (earlier) => earlier.spec === 1 });
    await reconcileRequest(unwritten, run);
    expect(run.calls).toEqual(['sign', 'store 1', 'announce 1']);
  });

  it('a certificate that cannot be stored now is kept and the key retried', async () => {
    const unwritten = new UnwrittenCertificates<Signed>();
    const run = steps({ store: () => Promise.resolve(false) });
    expect(await reconcileRequest(unwritten, run)).toEqual(RETRY);
    expect(unwritten.get('u1')?.serial).toBe('1');
  });

  it('a final refusal goes to refuse() with its condition reason; nothing is stored', async () => {
    const run = steps({ sign: () => Promise.reject(new CaError('identifier_not_allowed', '8.8.8.8 is public')) });
    expect(await reconcileRequest(new UnwrittenCertificates<Signed>(), run)).toEqual(DONE);
    expect(run.calls).toEqual(['refuse PolicyViolation identifier_not_allowed']);
  });

  it('a passing fault while signing is reported Pending, then thrown to the queue, which retries with backoff', async () => {
    const retryable = new CaError('ca_material_invalid', 'HSM busy');
    Object.defineProperty(retryable, 'errorClass', { value: 'retryable' });
    const serverSide = new CaError('ca_material_invalid', 'the signer certificate is unreadable');
    const apiDown = new Error('connect ECONNREFUSED');
    for (const error of [retryable, serverSide, apiDown]) {
      const run = steps({ sign: () => Promise.reject(error) });
      await expect(reconcileRequest(new UnwrittenCertificates<Signed>(), run)).rejects.toBe(error);
      expect(run.calls).toEqual([`retrying Failed to sign the certificate, will retry: ${error.message}`]);
    }
  });

  it('a write refused with 403 is reported Pending and retried; the signed certificate is kept', async () => {
    const unwritten = new UnwrittenCertificates<Signed>();
    const forbidden = new KubeApiError(403, 'Forbidden', 'secrets is forbidden', 'POST', '/api/v1/namespaces/default/secrets');
    const run = steps({ store: () => Promise.reject(forbidden) });
    await expect(reconcileRequest(unwritten, run)).rejects.toBe(forbidden);
    expect(run.calls).toEqual(['sign', `retrying Failed to store the certificate, will retry: ${forbidden.message}`]);
    expect(unwritten.get('u1')?.serial).toBe('1');
  });

  it('past the retry deadline a passing fault is Failed: giveUp() decides, nothing is thrown, the certificate is dropped', async () => {
    const unwritten = new UnwrittenCertificates<Signed>();
    unwritten.set('u1', { serial: 'kept', spec: 1 });
    const late = { now: () => new Date('2026-01-01T01:00:01Z') };
    const signing = steps({ ...late, stillFits: () => false, sign: () => Promise.reject(new Error('HSM offline')) });
    expect(await reconcileRequest(unwritten, signing)).toEqual(DONE);
    expect(signing.calls).toEqual(['giveUp Failed permanently to sign the certificate (the maximum retry duration has passed): HSM offline']);
    expect(unwritten.size).toBe(0);
  });

  it('without a deadline a passing fault is retried without end', async () => {
    const run = steps({ retryDeadline: undefined, now: () => new Date('2099-01-01T00:00:00Z'), sign: () => Promise.reject(new Error('down')) });
    await expect(reconcileRequest(new UnwrittenCertificates<Signed>(), run)).rejects.toThrow('down');
    expect(run.calls).toEqual(['retrying Failed to sign the certificate, will retry: down']);
  });
});
