import { describe, expect, it } from 'vitest';
import { parseTrustedProxies } from '../../../src/config/serve-config.js';
import { clientAddress, normalizeAddress } from '../../../src/api/client-address.js';

const PROXIES = parseTrustedProxies('10.0.0.0/24,192.168.5.5');

describe('clientAddress', () => {
  it('is the peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddress('203.0.113.9', '1.2.3.4', [])).toBe('203.0.113.9');
    expect(clientAddress('::ffff:127.0.0.1', '1.2.3.4', [])).toBe('127.0.0.1');
  });

  it('is the peer when the peer is not a trusted proxy', () => {
    expect(clientAddress('203.0.113.9', '1.2.3.4', PROXIES)).toBe('203.0.113.9');
  });

  it('walks X-Forwarded-For from the right past trusted proxies', () => {
    expect(clientAddress('10.0.0.7', '1.2.3.4', PROXIES)).toBe('1.2.3.4');
    expect(clientAddress('10.0.0.7', '6.6.6.6, 1.2.3.4, 192.168.5.5', PROXIES)).toBe('1.2.3.4');
    expect(clientAddress('::ffff:10.0.0.7', ' 1.2.3.4 ', PROXIES)).toBe('1.2.3.4');
  });

  it('a client cannot pick its own address by prepending entries', () => {
    // The client sent "X-Forwarded-For: 9.9.9.9"; the trusted proxy appended the real peer.
    expect(clientAddress('10.0.0.7', '9.9.9.9, 5.5.5.5', PROXIES)).toBe('5.5.5.5');
  });

  it('stops at a malformed entry and uses the last trusted hop', () => {
    expect(clientAddress('10.0.0.7', 'evil, junk', PROXIES)).toBe('10.0.0.7');
    expect(clientAddress('10.0.0.7', '1.2.3.4, not-an-ip, 10.0.0.9', PROXIES)).toBe('10.0.0.9');
  });

  it('an empty header or all-trusted chain falls back to the leftmost trusted hop', () => {
    expect(clientAddress('10.0.0.7', '', PROXIES)).toBe('10.0.0.7');
    expect(clientAddress('10.0.0.7', '10.0.0.8', PROXIES)).toBe('10.0.0.8');
  });

  it('normalizes IPv4-mapped IPv6 only', () => {
    expect(normalizeAddress('::ffff:192.168.1.1')).toBe('192.168.1.1');
    expect(normalizeAddress('::1')).toBe('::1');
  });
});
