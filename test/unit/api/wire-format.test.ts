import { describe, expect, it } from 'vitest';
import { csrStatusBody, STATUS_MESSAGES } from '../../../src/api/wire-format.js';
import type { CsrRequestRecord } from '../../../src/store/records.js';

const base: CsrRequestRecord = {
  id: 'REQ_X',
  type: 'webhook',
  status: 'pending',
  csrPem: 'csr',
  csrSha256: 'h',
  subjectSpki: new Uint8Array(),
  ips: ['10.0.0.1'],
  metadata: {},
  requester: '127.0.0.1',
  createdAt: new Date(0),
  updatedAt: new Date(0),
};

describe('csrStatusBody', () => {
  it('uses the SMSGate messages verbatim', () => {
    expect(STATUS_MESSAGES).toEqual({
      pending: 'CSR submitted successfully. Await processing.',
      approved: 'CSR approved. The certificate is ready for download.',
      denied: 'CSR denied. Please contact the administrator.',
    });
  });

  it('pending: the four SMSGate fields and nothing internal', () => {
    expect(csrStatusBody(base)).toEqual({ request_id: 'REQ_X', type: 'webhook', status: 'pending', message: STATUS_MESSAGES.pending });
  });

  it('approved: adds the certificate', () => {
    expect(csrStatusBody({ ...base, status: 'approved', certificatePem: 'PEM', serialNumber: '01' })).toMatchObject({ status: 'approved', certificate: 'PEM' });
  });

  it('denied: adds the reason', () => {
    expect(csrStatusBody({ ...base, status: 'denied', denyReason: 'why' })).toEqual({
      request_id: 'REQ_X',
      type: 'webhook',
      status: 'denied',
      message: STATUS_MESSAGES.denied,
      reason: 'why',
    });
  });
});
