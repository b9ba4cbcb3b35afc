import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCaError } from '../../../src/ca/errors.js';
import { readPrivateKeyFile } from '../../../src/keystore/key-file.js';

const KEY = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n';
const IS_ROOT = process.getuid?.() === 0;
const OTHER_UID = 65532;

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'key-file-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function keyWith(mode: number, uid?: number): Promise<string> {
  const path = join(dir, `key-${mode.toString(8)}-${uid ?? 'me'}.pem`);
  await writeFile(path, KEY);
  await chmod(path, mode);
  if (uid !== undefined) await chown(path, uid, OTHER_UID);
  return path;
}

async function refusal(path: string): Promise<string | undefined> {
  try {
    await readPrivateKeyFile(path);
    return undefined;
  } catch (error) {
    return isCaError(error) ? `${error.reason}: ${error.message}` : `not a CaError: ${String(error)}`;
  }
}

describe('readPrivateKeyFile', () => {
  it.each([0o600, 0o400])('reads an owner-only key (mode %o)', async (mode) => {
    expect(await readPrivateKeyFile(await keyWith(mode))).toBe(KEY);
  });

  it.each([0o604, 0o644, 0o606, 0o601])('refuses a key open to others (mode %o)', async (mode) => {
    expect(await refusal(await keyWith(mode))).toMatch(/^key_file_insecure: .*open to others/);
  });

  // chown to another user needs root; CI runs as root, so these run there.
  describe.runIf(IS_ROOT)('group access (root owns the file, or another user does)', () => {
    it.each([0o640, 0o440])('accepts a root-owned key its group may only read (mode %o, a Kubernetes Secret with fsGroup)', async (mode) => {
      expect(await readPrivateKeyFile(await keyWith(mode, 0))).toBe(KEY);
    });

    it.each([0o660, 0o670, 0o650])('refuses a root-owned key its group may write or run (mode %o)', async (mode) => {
      expect(await refusal(await keyWith(mode, 0))).toMatch(/^key_file_insecure: .*group may do more than read/);
    });

    it('refuses a group-readable key owned by another user', async () => {
      expect(await refusal(await keyWith(0o640, OTHER_UID))).toMatch(/^key_file_insecure: .*open to its group/);
    });
  });
});
