import { describe, expect, it } from 'vitest';
import { MAX_LIMIT, ADMIN_REVOCATION_REASONS } from '../../../src/api/admin-query.js';
import type { AdminAuditBody, AdminCertificateBody, AdminRequestBody } from '../../../src/api/admin-wire.js';
import { certificateSearchOf } from '../../../src/console/browser/certificate-search.js';
import { MAX_LIST_LIMIT, REVOCATION_REASONS, type AuditItem, type CertificateItem, type RequestItem } from '../../../src/console/browser/wire-types.js';

// The console reads what the admin API writes: each server body must be assignable to the console's
// view of it (checked by the compiler, as part of `npm test`).
const asRequest = (body: AdminRequestBody): RequestItem => body;
const asCertificate = (body: AdminCertificateBody): CertificateItem => body;
const asAudit = (body: AdminAuditBody): AuditItem => body;

describe('the console and the admin API agree', () => {
  it('offers exactly the revocation reasons the API accepts, and its largest page', () => {
    expect([...REVOCATION_REASONS]).toEqual(ADMIN_REVOCATION_REASONS.map((reason) => reason.name));
    expect(MAX_LIST_LIMIT).toBe(MAX_LIMIT);
  });

  it('reads the bodies the API writes', () => {
    const request = asRequest({ request_id: 'REQ_1', type: 'private_server', status: 'pending', awaiting_approval: true, ips: ['10.0.0.5'], requester: '127.0.0.1', metadata: {}, created_at: '', updated_at: '' });
    expect(request.awaiting_approval).toBe(true);
    expect(asCertificate({ serial_number: 'ab', door: 'rest', type: 'private_server', ips: [], requester: '', issued_at: '', not_before: '', not_after: '', state: 'valid' }).state).toBe('valid');
    expect(asAudit({ sequence: 1, at: '', event: 'approved', door: 'rest', requester: '' }).event).toBe('approved');
  });
});

describe('certificateSearchOf: the certificate search box', () => {
  it('reads an IPv4 address as ip, hexadecimal (with or without colons) as a serial prefix', () => {
    expect(certificateSearchOf(' 192.168.1.10 ', '')).toEqual({ ip: '192.168.1.10' });
    expect(certificateSearchOf('5F:3A:09', 'revoked')).toEqual({ serial: '5f3a09', state: 'revoked' });
    expect(certificateSearchOf('', 'valid')).toEqual({ state: 'valid' });
  });

  it('refuses anything else with a message', () => {
    for (const text of ['router', '192.168.1', ':', 'a'.repeat(65), '10.0.0.5/24']) expect(certificateSearchOf(text, '')).toMatch(/^Search by an IPv4 address/);
  });
});
