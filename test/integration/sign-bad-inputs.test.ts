import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCliProcess } from '../support/cli.js';
import { buildCsr, freshKey } from '../support/csr-factory.js';

/**
 * `smsgate-ca sign`, the offline door, given what is not a CSR it can sign: each case exits 1 with
 * one line on stderr that says what is wrong, writes nothing to stdout, and never echoes a key.
 * The built CLI runs against one CA made with `init`.
 */
let work: { dir: string; cleanup: () => Promise<void> };
let dataDir: string;

beforeAll(async () => {
  work = await makeTempDir();
  dataDir = join(work.dir, 'data');
  expect((await runCliProcess(['init', '--data-dir', dataDir])).code).toBe(0);
});

afterAll(() => work.cleanup());

interface Case {
  readonly name: string;
  /** Makes the input; returns the --csr argument (a path, or "-" with `stdin`). */
  readonly input: (dir: string) => Promise<{ path: string; stdin?: string }>;
  readonly says: RegExp;
}

const file = (content: string | Uint8Array) => async (dir: string) => {
  const path = join(dir, 'input');
  await writeFile(path, content);
  return { path };
};
const GOOD = buildCsr({ ips: ['192.168.1.10'] });
const ARMOUR = /-----BEGIN CERTIFICATE REQUEST-----\n([\s\S]*)\n-----END CERTIFICATE REQUEST-----/;

const CASES: readonly Case[] = [
  { name: 'a file that does not exist', input: (dir) => Promise.resolve({ path: join(dir, 'missing.csr') }), says: /^cannot read the CSR from .*missing\.csr: no such file$/ },
  { name: 'a directory', input: async (dir) => ({ path: await mkdir(join(dir, 'folder')).then(() => join(dir, 'folder')) }), says: /^cannot read the CSR from .*folder: it is a directory$/ },
  { name: 'an empty file', input: file(''), says: /^refused \(pem_invalid\): / },
  { name: 'text that is not PEM', input: file('hello, I am a CSR\n'), says: /^refused \(pem_invalid\): / },
  { name: 'NUL bytes', input: file(Buffer.alloc(64)), says: /^refused \(pem_invalid\): / },
  { name: 'a certificate instead of a CSR', input: async (dir) => file(await readFile(join(dataDir, 'ca/root.crt'), 'utf8'))(dir), says: /^refused \(pem_invalid\): .*CERTIFICATE/ },
  { name: 'a private key instead of a CSR', input: async (dir) => file(await readFile(join(dataDir, 'ca/intermediate.key'), 'utf8'))(dir), says: /^refused \(pem_invalid\): .*PRIVATE KEY/ },
  { name: 'a CSR in DER', input: file(GOOD.der), says: /looks like a DER \(binary\) CSR; convert it to PEM first: openssl req -inform DER/ },
  { name: 'a CSR whose base64 is cut short', input: file(GOOD.pem.replace(ARMOUR, (_all, body: string) => `-----BEGIN CERTIFICATE REQUEST-----\n${body.slice(0, 100)}\n-----END CERTIFICATE REQUEST-----`)), says: /^refused \((der_invalid|pem_invalid)\): / },
  { name: 'a CSR signed by another key', input: file(buildCsr({ ips: ['192.168.1.10'], signer: freshKey('p256').privateKey }).pem), says: /^refused \(signature_invalid\): / },
  { name: 'a file of 20 KB', input: file(`${GOOD.pem}${'#'.repeat(20_000)}\n`), says: /^.*input holds more than 16384 bytes; a PEM CSR is at most 16384 characters$/ },
  {
    name: 'a sparse file of 8 GiB (never read whole)',
    input: async (dir) => {
      const path = join(dir, 'huge');
      const handle = await open(path, 'w');
      await handle.truncate(8 * 1024 ** 3);
      await handle.close();
      return { path };
    },
    says: /huge holds more than 16384 bytes/,
  },
  { name: '1 MiB on standard input', input: () => Promise.resolve({ path: '-', stdin: 'A'.repeat(1 << 20) }), says: /^standard input holds more than 16384 bytes/ },
];

describe('smsgate-ca sign with bad input', () => {
  it.each(CASES)('$name → exit 1, one clear line on stderr', async ({ name, input, says }) => {
    const dir = join(work.dir, name.replace(/[^a-z0-9]+/gi, '-'));
    await mkdir(dir);
    const { path, stdin } = await input(dir);
    const result = await runCliProcess(['sign', '--data-dir', dataDir, '--csr', path], stdin === undefined ? {} : { input: stdin });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^smsgate-ca sign: /);
    expect(lines[0]!.replace(/^smsgate-ca sign: /, '')).toMatch(says);
    expect(result.stderr).not.toMatch(/[A-Za-z0-9+/]{40}/); // no base64 of the input (a key's above all)
  });

  it('signs the same CSR given as PEM on standard input (control)', async () => {
    const result = await runCliProcess(['sign', '--data-dir', dataDir, '--csr', '-'], { input: GOOD.pem });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });
});
