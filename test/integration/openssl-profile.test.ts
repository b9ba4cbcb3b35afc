import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, loadCaMaterial, type CaMaterial } from '../../src/ca/ca-material.js';
import { encodeTbs, signTbs } from '../../src/ca/certificate-assembly.js';
import { readCertificate, readSubjectKeyIdentifier } from '../../src/ca/certificate-reader.js';
import { systemClock } from '../../src/shared/clock.js';
import { integerFromBytes, implicitPrimitive, sequence } from '../../src/ca/der.js';
import { extension } from '../../src/ca/extensions.js';
import { Ipv4RangeSet } from '../../src/ca/ip-ranges.js';
import { generateKeyPair, publicKeyKindOfAlgorithm } from '../../src/ca/key-generation.js';
import { LeafSigner, type IssuedCertificate } from '../../src/ca/leaf-signer.js';
import { OID } from '../../src/ca/oids.js';
import { encodeCertificatePem } from '../../src/ca/pem.js';
import { EMPTY_NAME } from '../../src/ca/profile.js';
import { signatureAlgorithmFor } from '../../src/ca/signature-algorithm.js';
import type { CertificateType, KeyAlgorithm, SubjectKey } from '../../src/ca/types.js';
import { makeTempDir } from '../support/cli.js';
import { certificateText, openssl, verifyServerChain } from '../support/openssl.js';

const RANGES = Ipv4RangeSet.parse('10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,127.0.0.0/8');
const SIGNATURE_NAMES: Record<string, string> = {
  'ecdsa-p256': 'ecdsa-with-SHA256',
  'ecdsa-p384': 'ecdsa-with-SHA384',
  'rsa-2048': 'sha256WithRSAEncryption',
};

let work: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  work = await makeTempDir();
});
afterAll(() => work.cleanup());

function subjectKey(algorithm: KeyAlgorithm): SubjectKey {
  return { spki: generateKeyPair(algorithm).spki, key: publicKeyKindOfAlgorithm(algorithm) };
}

/**
 * Signs a leaf with the CA key but none of the signer's checks, carrying arbitrary SAN entries
 * (already encoded GeneralNames): how a compromised or buggy issuer would mint one.
 */
function forgeLeaf(material: CaMaterial, generalNames: Uint8Array[]): string {
  const algorithm = signatureAlgorithmFor(material.signerKeyKind);
  const signerFields = readCertificate(material.signerCertificateDer);
  const issuerKeyId = readSubjectKeyIdentifier(signerFields)!;
  const now = Date.now();
  const tbs = encodeTbs({
    serialDer: integerFromBytes(Uint8Array.of(0x01, 0x77, 0x66, 0x55)),
    signatureAlgorithmDer: algorithm.identifierDer,
    issuerDer: signerFields.subjectDer,
    notBefore: new Date(now - 3_600_000),
    notAfter: new Date(now + 86_400_000),
    subjectDer: EMPTY_NAME,
    spkiDer: subjectKey('ecdsa-p256').spki,
    extensions: [
      extension(OID.basicConstraints, true, sequence()),
      extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, issuerKeyId))),
      extension(OID.subjectKeyIdentifier, false, Uint8Array.of(0x04, 0x01, 0x01)),
      extension(OID.subjectAltName, true, sequence(...generalNames)),
    ],
  });
  return encodeCertificatePem(signTbs(tbs, { key: material.signerKey, algorithm }));
}

describe.each(['ecdsa-p256', 'ecdsa-p384', 'rsa-2048'] as const)('a %s CA, checked by openssl', (caAlgorithm) => {
  let material: CaMaterial;
  let signer: LeafSigner;
  let dir: string;

  beforeAll(async () => {
    const ca = createCa({ keyAlgorithm: caAlgorithm, allowedRanges: RANGES, clock: systemClock });
    material = loadCaMaterial({
      certificatePem: ca.intermediate.certificatePem,
      privateKeyPem: ca.intermediate.privateKeyPem,
      chainPem: ca.root.certificatePem,
      allowedRanges: RANGES,
      clock: systemClock,
    });
    signer = new LeafSigner(material);
    dir = join(work.dir, caAlgorithm);
    await openssl(['version']); // fail early and clearly if openssl is missing
    await mkdir(dir);
  });

  const cases: ReadonlyArray<[CertificateType, KeyAlgorithm, string[]]> = [
    ['webhook', 'ecdsa-p256', ['127.0.0.1']],
    ['private_server', 'rsa-2048', ['192.168.1.10', '10.20.30.40', '127.0.0.2']],
    ['private_server', 'ecdsa-p384', ['172.16.5.4']],
  ];

  it.each(cases)('a %s leaf for a %s key passes openssl verify -x509_strict -purpose sslserver for each of its IPs %j', async (type, leafAlgorithm, ips) => {
    const issued = signer.issue({ subject: subjectKey(leafAlgorithm), ips, type });
    for (const ip of ips) {
      const result = await verifyServerChain(dir, issued.chainPem, material.rootPem, ip);
      expect(result.stdout + result.stderr).toContain('verify-leaf.pem: OK');
      expect(result.code).toBe(0);
    }
    const wrongIp = await verifyServerChain(dir, issued.chainPem, material.rootPem, '127.0.0.99');
    expect(wrongIp.code).not.toBe(0);
    expect(wrongIp.stdout + wrongIp.stderr).toMatch(/IP address mismatch/i);
  });

  it('shows the profile in openssl x509 -text', async () => {
    const issued: IssuedCertificate = signer.issue({ subject: subjectKey('rsa-2048'), ips: ['192.168.1.10', '127.0.0.1'], type: 'private_server' });
    const text = await certificateText(dir, issued.pem);
    expect(text).toMatch(/Version: 3 \(0x2\)/);
    expect(text).toMatch(/Subject: *\n/);
    expect(text).toMatch(/X509v3 Subject Alternative Name: critical\n\s+IP Address:192\.168\.1\.10, IP Address:127\.0\.0\.1\n/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:FALSE\n/);
    expect(text).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature, Key Encipherment\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage: *\n\s+TLS Web Server Authentication\n/);
    expect(text).toMatch(/X509v3 Authority Key Identifier: *\n\s+([0-9A-F]{2}:){19}[0-9A-F]{2}\n/);
    expect(text).toContain(`Signature Algorithm: ${SIGNATURE_NAMES[caAlgorithm]}`);
    expect(text).toMatch(new RegExp(`Serial Number:\\s*\\n\\s*${issued.serialNumber.match(/../g)!.join(':')}\\n`));

    const ecText = await certificateText(dir, signer.issue({ subject: subjectKey('ecdsa-p256'), ips: ['10.0.0.1'], type: 'webhook' }).pem);
    expect(ecText).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature\n/);
  });

  it('shows the intermediate name constraints in openssl x509 -text', async () => {
    const text = await certificateText(dir, material.signerCertificatePem);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:TRUE, pathlen:0\n/);
    expect(text).toMatch(/X509v3 Name Constraints: critical\n\s+Permitted:\n\s+IP:10\.0\.0\.0\/255\.0\.0\.0\n\s+IP:172\.16\.0\.0\/255\.240\.0\.0\n\s+IP:192\.168\.0\.0\/255\.255\.0\.0\n\s+IP:127\.0\.0\.0\/255\.0\.0\.0\n\s+Excluded:\n\s+IP:0:0:0:0:0:0:0:0\/0:0:0:0:0:0:0:0\n\s+DNS:\n/);
  });

  it('openssl refuses leaves that break the name constraints, even when the CA key signed them', async () => {
    const bypass = new LeafSigner({ ...material, allowedRanges: Ipv4RangeSet.parse('100.64.0.0/10,169.254.0.0/16') });
    for (const ip of ['100.64.1.1', '169.254.10.10']) {
      const forged = bypass.issue({ subject: subjectKey('ecdsa-p256'), ips: [ip], type: 'webhook' });
      const result = await verifyServerChain(dir, forged.chainPem, material.rootPem, ip);
      expect(result.code).not.toBe(0);
      expect(result.stdout + result.stderr).toMatch(/permitted subtree violation/);
    }
  });

  it('openssl refuses forged leaves for an IPv6 address or a DNS name', async () => {
    const ipv6 = forgeLeaf(material, [implicitPrimitive(7, Uint8Array.from([0xfd, ...new Array(14).fill(0), 1]))]);
    const dns = forgeLeaf(material, [implicitPrimitive(2, new TextEncoder().encode('printer.lan'))]);
    for (const [leaf, pattern] of [[ipv6, /subtree violation/], [dns, /excluded subtree violation/]] as const) {
      await writeFile(join(dir, 'forged.pem'), leaf);
      await writeFile(join(dir, 'chain.pem'), material.chainPem);
      await writeFile(join(dir, 'root.pem'), material.rootPem);
      const result = await openssl(['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', 'root.pem', '-untrusted', 'chain.pem', 'forged.pem'], { cwd: dir });
      expect(result.code).not.toBe(0);
      expect(result.stdout + result.stderr).toMatch(pattern);
    }
  });
});

describe('bring your own root made by openssl', () => {
  it('loads an openssl root with a SEC1 key and issues leaves openssl accepts', async () => {
    const dir = join(work.dir, 'byo');
    await mkdir(dir);
    const key = await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'root.key'], { cwd: dir });
    expect(key.code).toBe(0);
    const root = await openssl(
      [
        'req', '-x509', '-new', '-key', 'root.key', '-days', '3650', '-subj', '/O=Home Lab/CN=Home Lab Root',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'root.pem',
      ],
      { cwd: dir },
    );
    expect(root.stderr).toBe('');
    const privateKeyPem = await readFile(join(dir, 'root.key'), 'utf8');
    expect(privateKeyPem).toContain('BEGIN EC PRIVATE KEY');
    const material = loadCaMaterial({
      certificatePem: await readFile(join(dir, 'root.pem'), 'utf8'),
      privateKeyPem,
      allowedRanges: RANGES,
      clock: systemClock,
    });
    const issued = new LeafSigner(material).issue({ subject: subjectKey('ecdsa-p256'), ips: ['192.168.50.5'], type: 'private_server' });
    expect(issued.chainPem).toBe(issued.pem);
    await writeFile(join(dir, 'leaf.pem'), issued.pem);
    // No intermediate: the root signs directly, so there is nothing to pass as -untrusted.
    const result = await openssl(['verify', '-x509_strict', '-purpose', 'sslserver', '-verify_ip', '192.168.50.5', '-CAfile', 'root.pem', 'leaf.pem'], { cwd: dir });
    expect(result.stdout).toContain('leaf.pem: OK');
    expect(result.code).toBe(0);
  });
});
