import { describe, expect, it } from 'vitest';
import { CaError } from '../../../src/ca/errors.js';
import { CSR_PEM_LABELS, decodePemBlocks, decodeSinglePem, encodePem } from '../../../src/ca/pem.js';

const der = Uint8Array.from({ length: 100 }, (_, i) => (i * 37) % 256);

function pemError(run: () => unknown): CaError {
  try {
    run();
  } catch (error) {
    if (error instanceof CaError && error.reason === 'pem_invalid') return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('encodePem / decodePemBlocks', () => {
  it('round-trips with 64-character lines', () => {
    const pem = encodePem('CERTIFICATE', der);
    expect(pem.split('\n').map((line) => line.length)).toEqual([27, 64, 64, 8, 25, 0]);
    expect(decodePemBlocks(pem)).toEqual([{ label: 'CERTIFICATE', der }]);
  });

  it('decodes a chain of several blocks separated by blank lines', () => {
    const text = `${encodePem('CERTIFICATE', der)}\n\n${encodePem('CERTIFICATE', der.subarray(0, 3))}`;
    expect(decodePemBlocks(text).map((block) => block.der.length)).toEqual([100, 3]);
  });

  it('accepts a body on one line and CRLF line ends', () => {
    const oneLine = `-----BEGIN X-----\n${Buffer.from(der).toString('base64')}\n-----END X-----`;
    expect(decodePemBlocks(oneLine)[0]?.der).toEqual(der);
    expect(decodePemBlocks(encodePem('X', der).replaceAll('\n', '\r\n'))[0]?.der).toEqual(der);
  });

  it('returns no block for whitespace', () => {
    expect(decodePemBlocks(' \r\n\t')).toEqual([]);
  });

  it.each([
    ['RFC 1421 headers', encodePem('X', der).replace('-----\n', '-----\nProc-Type: 4,ENCRYPTED\n\n'), 'not base64'],
    ['a body with a NUL', encodePem('X', der).replace('\n', '\n\u0000'), '\\u0000'],
    ['an empty body', '-----BEGIN X-----\n-----END X-----\n', 'is empty'],
    ['padding in the middle', encodePem('X', der).replace(/\n(..)/, '\n$1=='), 'padded'],
    ['a truncated body', encodePem('X', der).replace(/.\n-----END/, '\n-----END'), 'padded'],
    ['a non-breaking space inside', encodePem('X', der).replace('\n', '\n\u00a0'), 'not base64'],
    ['a block opened inside another', `-----BEGIN X-----\nAAAA\n${encodePem('X', der)}`, 'not closed'],
    ['text after the block', `${encodePem('X', der)}.`, 'outside the PEM block'],
  ])('refuses %s', (_name, text, message) => {
    expect(pemError(() => decodePemBlocks(text)).message).toContain(message);
  });

  it('refuses non-text input with a CaError', () => {
    expect(pemError(() => decodePemBlocks(42 as unknown as string)).message).toContain('must be text');
  });
});

describe('decodeSinglePem', () => {
  it('accepts each allowed label', () => {
    for (const label of CSR_PEM_LABELS) {
      expect(decodeSinglePem(encodePem(label, der), CSR_PEM_LABELS, 'CSR')).toEqual({ label, der });
    }
  });

  it('names the labels it found when there are several blocks', () => {
    const text = encodePem('CERTIFICATE REQUEST', der) + encodePem('EC PRIVATE KEY', der);
    const error = pemError(() => decodeSinglePem(text, CSR_PEM_LABELS, 'CSR'));
    expect(error.message).toContain('found 2 PEM blocks ("CERTIFICATE REQUEST", "EC PRIVATE KEY")');
    expect(error.message).toContain('never send it');
  });

  it('names the wrong label', () => {
    expect(pemError(() => decodeSinglePem(encodePem('PUBLIC KEY', der), CSR_PEM_LABELS, 'CSR'))).toMatchObject({ value: 'PUBLIC KEY' });
  });

  it('explains an empty input and a missing armour', () => {
    expect(pemError(() => decodeSinglePem('', CSR_PEM_LABELS, 'CSR')).message).toContain('the CSR is empty');
    expect(pemError(() => decodeSinglePem('MIIB', CSR_PEM_LABELS, 'CSR')).message).toContain('no PEM block found');
  });
});
