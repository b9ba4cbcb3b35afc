import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { httpErrorFromCaError } from '../../../src/api/ca-error-status.js';
import { csrRouter } from '../../../src/api/csr-routes.js';
import { problemFromCaError } from '../../../src/acme/problems.js';
import { CA_ERROR_CLASS, CaError, type CaErrorReason } from '../../../src/ca/index.js';
import { conditionReasonFor, isFinalRefusal } from '../../../src/controller/ca-error-reason.js';
import { createHttpApp } from '../../../src/http/create-app.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { createMetrics } from '../../../src/telemetry/metrics.js';

const REASONS = Object.keys(CA_ERROR_CLASS) as CaErrorReason[];

describe('CaError classes at each door', () => {
  it('a requester fault is a 400 naming the reason at REST, badCSR at ACME, a refusal in Kubernetes', () => {
    for (const reason of REASONS.filter((r) => ['malformed', 'policy', 'unsatisfiable'].includes(CA_ERROR_CLASS[r]))) {
      const error = new CaError(reason, `because ${reason}`);
      const http = httpErrorFromCaError(error);
      expect(http.status, reason).toBe(reason === 'input_too_large' ? 413 : 400);
      expect(http.message).toBe(`CSR refused (${reason}): because ${reason}`);
      expect(problemFromCaError(error).toJSON()).toMatchObject({ type: 'urn:ietf:params:acme:error:badCSR', status: 400 });
      expect(isFinalRefusal(error)).toBe(true);
    }
  });

  it('a server fault is a 500 without internals at REST, serverInternal at ACME, and retried in Kubernetes', () => {
    for (const reason of REASONS.filter((r) => CA_ERROR_CLASS[r] === 'server')) {
      const error = new CaError(reason, 'the key file at /secret/path is group-readable');
      const http = httpErrorFromCaError(error);
      expect(http.status, reason).toBe(500);
      expect(http.message).not.toContain('/secret/path');
      expect(problemFromCaError(error).toJSON()).toMatchObject({ type: 'urn:ietf:params:acme:error:serverInternal', status: 500 });
      // In Kubernetes a server-side fault is Pending and retried (the operator's owner may mend it), Failed only after the maximum retry duration.
      expect(isFinalRefusal(error)).toBe(false);
      expect(conditionReasonFor(error)).toBe('Failed');
    }
    expect(REASONS.filter((r) => CA_ERROR_CLASS[r] === 'server')).toEqual(['cidr_invalid', 'ca_material_invalid', 'key_file_insecure']);
  });

  it('a retryable fault is 503 with Retry-After at both HTTP doors and no refusal in Kubernetes', () => {
    const error = new CaError('ca_material_invalid', 'x');
    Object.defineProperty(error, 'errorClass', { value: 'retryable' });
    const http = httpErrorFromCaError(error);
    expect(http.status).toBe(503);
    expect(Number(http.headers['Retry-After'])).toBeGreaterThan(0);
    const problem = problemFromCaError(error);
    expect(problem.status).toBe(503);
    expect(Number(problem.options.headers?.['Retry-After'])).toBeGreaterThan(0);
    expect(isFinalRefusal(error)).toBe(false);
  });

  it('POST /api/v1/csr answers a server-side CaError with 500, not 400', async () => {
    const app = createHttpApp({ logger: silentLogger(), metrics: createMetrics() });
    const failing = {
      submit: () => Promise.reject(new CaError('ca_material_invalid', 'the signer certificate is unreadable')),
      findRequest: () => Promise.resolve(undefined),
    };
    app.use(csrRouter({ issuance: failing, rateLimiter: undefined, trustedProxies: [], metrics: createMetrics() }).routes());
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/csr`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content: '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n' }),
      });
      expect(response.status).toBe(500);
      const body = (await response.json()) as { error: { code: number; message: string } };
      expect(body.error.code).toBe(500);
      expect(body.error.message).not.toContain('unreadable');
    } finally {
      server.close();
    }
  });
});
