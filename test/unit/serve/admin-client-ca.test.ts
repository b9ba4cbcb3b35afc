import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, loadCaMaterial, systemClock } from '../../../src/ca/index.js';
import { ConfigError } from '../../../src/config/config-error.js';
import type { LoadedCa } from '../../../src/keystore/ca-directory.js';
import { liveOwnCaKeys, readAdminClientCa, refuseOwnCa } from '../../../src/serve/admin-client-ca.js';
import { makeAdminCa, type TestAdminCa } from '../../support/admin-client-pki.js';
import { makeTempDir } from '../../support/cli.js';
import { ManualClock } from '../../support/manual-clock.js';
import { PRIVATE_RANGES } from '../../support/test-ca.js';

const DAY_MS = 86_400_000;
let work: { dir: string; cleanup: () => Promise<void> };
let adminCa: TestAdminCa;
let secondCa: TestAdminCa;
let leafFile: string;

beforeAll(async () => {
  work = await makeTempDir();
  adminCa = await makeAdminCa(join(work.dir, 'admin'), '/CN=Admin CA/O=Example');
  secondCa = await makeAdminCa(join(work.dir, 'second'), '/CN=Second Admin CA/O=Example');
  const now = Date.now();
  leafFile = (await adminCa.issue('alice', { subject: '/CN=alice', extendedKeyUsage: 'clientAuth', notBefore: new Date(now - DAY_MS), notAfter: new Date(now + DAY_MS) })).certificate;
}, 60_000);

afterAll(async () => {
  await work?.cleanup();
});

async function bundle(name: string, ...parts: string[]): Promise<string> {
  const file = join(work.dir, name);
  await writeFile(file, parts.join(''));
  return file;
}

/** This CA's root and signing intermediate, as serve has them loaded. */
function ownCa(): { loaded: LoadedCa; rootPem: string; intermediatePem: string } {
  const ca = createCa({ keyAlgorithm: 'ecdsa-p256', allowedRanges: PRIVATE_RANGES, clock: systemClock });
  const material = loadCaMaterial({ certificatePem: ca.intermediate.certificatePem, privateKeyPem: ca.intermediate.privateKeyPem, chainPem: ca.root.certificatePem, allowedRanges: PRIVATE_RANGES, clock: systemClock });
  // refuseOwnCa reads only the root and the signing intermediate of a LoadedCa.
  return { loaded: { rootCertificatePem: ca.root.certificatePem, material } as unknown as LoadedCa, rootPem: ca.root.certificatePem, intermediatePem: ca.intermediate.certificatePem };
}

describe('readAdminClientCa', () => {
  it('reads a bundle of CA certificates (two roots, text around them) and names their subjects', async () => {
    const file = await bundle('two.pem', 'Admin CA\n', await readFile(adminCa.certificate, 'utf8'), '\n# second\n', await readFile(secondCa.certificate, 'utf8'));
    const read = await readAdminClientCa(file, systemClock);
    expect(read?.subjects).toEqual(['CN=Admin CA, O=Example', 'CN=Second Admin CA, O=Example']);
    expect(read?.pem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(await readAdminClientCa(undefined, systemClock)).toBeUndefined();
  });

  it.each([
    ['a missing file', async () => join(work.dir, 'absent.pem'), /cannot read --admin-client-ca .*absent\.pem: ENOENT/],
    ['a file with no certificate', async () => bundle('empty.pem', 'not a certificate\n'), /holds no PEM certificate/],
    ['a damaged certificate', async () => bundle('damaged.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), /certificate 1 is not a valid X.509 certificate/],
    ['a client certificate instead of its CA', async () => bundle('leaf.pem', await readFile(adminCa.certificate, 'utf8'), await readFile(leafFile, 'utf8')), /certificate 2 \(CN=alice\) is not a CA certificate/],
  ])('refuses %s with a ConfigError naming the file', async (_name, file, message) => {
    const path = await file();
    await expect(readAdminClientCa(path, systemClock)).rejects.toThrow(ConfigError);
    await expect(readAdminClientCa(path, systemClock)).rejects.toThrow(message);
  });

  it('refuses a bundle none of whose CAs is valid now (by the server clock)', async () => {
    const later = new ManualClock(Date.now() + 400 * DAY_MS);
    await expect(readAdminClientCa(adminCa.certificate, later)).rejects.toThrow(/no certificate in it is valid now/);
  });
});

describe('refuseOwnCa', () => {
  it("refuses this CA's own root or signing intermediate, by key, and accepts a separate admin CA", async () => {
    const own = ownCa();
    for (const [name, pem] of [['root', own.rootPem], ['intermediate', own.intermediatePem]] as const) {
      const read = (await readAdminClientCa(await bundle(`own-${name}.pem`, await readFile(adminCa.certificate, 'utf8'), pem), systemClock))!;
      expect(() => refuseOwnCa(read, own.loaded)).toThrow(/holds this CA's own .*every certificate this CA issues/);
    }
    const separate = (await readAdminClientCa(adminCa.certificate, systemClock))!;
    expect(() => refuseOwnCa(separate, own.loaded)).not.toThrow();
    expect(() => refuseOwnCa(separate, undefined)).not.toThrow();
  });

  it('liveOwnCaKeys follows the CA loaded now, and is empty while there is none', () => {
    const own = ownCa();
    const live: { loaded: LoadedCa | undefined } = { loaded: undefined };
    const keys = liveOwnCaKeys(live);
    expect(keys()).toEqual([]);
    live.loaded = own.loaded;
    expect(keys()).toHaveLength(2);
    expect(keys()[0]!.equals(new X509Certificate(own.rootPem).publicKey)).toBe(true);
  });
});
