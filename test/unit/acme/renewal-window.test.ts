import { describe, expect, it } from 'vitest';
import { suggestedWindow } from '../../../src/acme/handlers/renewal-info.js';

describe('ARI suggested window (RFC 9773)', () => {
  const notBefore = new Date('2030-01-01T00:00:00Z');
  const notAfter = new Date('2030-12-31T00:00:00Z');
  const lifetime = notAfter.getTime() - notBefore.getTime();

  it('lies inside the last third of the lifetime', () => {
    const window = suggestedWindow({ notBefore, notAfter }, new Date('2030-02-01T00:00:00Z'));
    const start = Date.parse(window.start) - notBefore.getTime();
    const end = Date.parse(window.end) - notBefore.getTime();
    expect(start).toBeGreaterThanOrEqual((lifetime * 2) / 3 - 1);
    expect(end).toBeLessThan(lifetime);
    expect(end).toBeGreaterThan(start);
  });

  it('is in the past once the certificate is revoked, so clients renew at once', () => {
    const now = new Date('2030-02-01T00:00:00Z');
    const window = suggestedWindow({ notBefore, notAfter, revokedAt: new Date('2030-01-15T00:00:00Z') }, now);
    expect(Date.parse(window.end)).toBeLessThanOrEqual(now.getTime());
    expect(Date.parse(window.start)).toBeLessThan(Date.parse(window.end));
  });
});
