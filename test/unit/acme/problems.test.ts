import { describe, expect, it } from 'vitest';
import { AcmeProblem, PROBLEM_STATUS, problemFromDocument } from '../../../src/acme/problems.js';

describe('AcmeProblem', () => {
  it('renders the RFC 8555 type URN, the table status and the detail', () => {
    const problem = new AcmeProblem('badNonce', 'stale');
    expect(problem.status).toBe(400);
    expect(problem.toJSON()).toEqual({ type: 'urn:ietf:params:acme:error:badNonce', detail: 'stale', status: 400 });
  });

  it('uses the statuses RFC 8555 prescribes where it prescribes one', () => {
    expect(PROBLEM_STATUS.unauthorized).toBe(403);
    expect(PROBLEM_STATUS.orderNotReady).toBe(403);
    expect(PROBLEM_STATUS.rateLimited).toBe(429);
    expect(PROBLEM_STATUS.serverInternal).toBe(500);
  });

  it('carries identifiers and subproblems and round-trips through a stored document', () => {
    const sub = new AcmeProblem('rejectedIdentifier', 'public', { identifier: { type: 'ip', value: '8.8.8.8' } });
    const problem = new AcmeProblem('compound', 'two', { subproblems: [sub, new AcmeProblem('unsupportedIdentifier', 'dns')] });
    const json = problem.toJSON();
    expect(json.subproblems?.[0]).toEqual({ type: 'urn:ietf:params:acme:error:rejectedIdentifier', detail: 'public', status: 400, identifier: { type: 'ip', value: '8.8.8.8' } });
    expect(problemFromDocument(json).toJSON()).toEqual(json);
  });

  it('an explicit status overrides the table (404 for missing resources)', () => {
    expect(new AcmeProblem('malformed', 'gone', { status: 404 }).toJSON().status).toBe(404);
  });

  it('unknown stored types come back as serverInternal', () => {
    expect(problemFromDocument({ type: 'about:blank', detail: 'x' }).type).toBe('serverInternal');
  });
});
