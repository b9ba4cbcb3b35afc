import { describe, expect, it } from 'vitest';
import { isRequestId, newRequestId } from '../../../src/issuance/request-id.js';
import { csrFingerprint } from '../../../src/issuance/csr-fingerprint.js';

describe('request ids', () => {
  it('are REQ_ plus 26 base32 characters from 16 random bytes', () => {
    expect(newRequestId(() => new Uint8Array(16))).toBe(`REQ_${'A'.repeat(26)}`);
    expect(newRequestId(() => new Uint8Array(16).fill(255))).toBe(`REQ_${'7'.repeat(25)}4`);
    const ids = new Set(Array.from({ length: 50 }, () => newRequestId()));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(isRequestId(id)).toBe(true);
  });

  it.each(['', 'REQ_12345', 'req_AAAAAAAAAAAAAAAAAAAAAAAAAA', 'REQ_AAAAAAAAAAAAAAAAAAAAAAAAA1', '../REQ_AAAAAAAAAAAAAAAAAAAAAAAAAA', 'REQ_AAAAAAAAAAAAAAAAAAAAAAAAAA\n'])(
    'refuse %j',
    (text) => expect(isRequestId(text)).toBe(false),
  );
});

describe('csrFingerprint', () => {
  it('ignores line endings and wrapping but not content', () => {
    const pem = '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\nBBBB\n-----END CERTIFICATE REQUEST-----\n';
    expect(csrFingerprint(pem.replaceAll('\n', '\r\n'))).toBe(csrFingerprint(pem));
    expect(csrFingerprint(pem.replace('AAAA\nBBBB', 'AAAABBBB'))).toBe(csrFingerprint(pem));
    expect(csrFingerprint(pem.replace('BBBB', 'BBBC'))).not.toBe(csrFingerprint(pem));
  });
});
