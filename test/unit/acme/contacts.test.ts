import { describe, expect, it } from 'vitest';
import { checkContacts } from '../../../src/acme/contacts.js';
import { AcmeProblem } from '../../../src/acme/problems.js';

function typeOf(value: unknown): string {
  try {
    checkContacts(value);
    return 'accepted';
  } catch (error) {
    return error instanceof AcmeProblem ? error.type : 'thrown';
  }
}

describe('checkContacts (RFC 8555 §7.3)', () => {
  it('accepts mailto: addresses and no contact at all', () => {
    expect(checkContacts(undefined)).toEqual([]);
    expect(checkContacts(['mailto:ops@example.internal', 'MAILTO:a.b+c@x.y'])).toEqual(['mailto:ops@example.internal', 'mailto:a.b+c@x.y']);
  });

  it.each([
    [['tel:+1555'], 'unsupportedContact'],
    [['https://example.com'], 'unsupportedContact'],
    [['mailto:'], 'invalidContact'],
    [['mailto:a@b,c@d'], 'invalidContact'],
    [['mailto:a@b?subject=x'], 'invalidContact'],
    [['mailto:no at sign'], 'invalidContact'],
    [Array.from({ length: 11 }, (_, i) => `mailto:a${i}@b.c`), 'invalidContact'],
    ['mailto:a@b.c', 'malformed'],
    [[42], 'malformed'],
  ])('%j → %s', (value, type) => {
    expect(typeOf(value)).toBe(type);
  });
});
