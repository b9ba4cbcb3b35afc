import 'reflect-metadata'; // @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded first
import { createPrivateKey, generateKeyPairSync, X509Certificate as NodeX509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCa, loadCaMaterial, type CaMaterial, type CreatedCa, type LoadCaMaterialInput } from '../../../src/ca/ca-material.js';
import { fixedClock } from '../../../src/shared/clock.js';
import { CaError } from '../../../src/ca/errors.js';
import { Ipv4RangeSet } from '../../../src/ca/ip-ranges.js';
import { generateKeyPair } from '../../../src/ca/key-generation.js';
import { LeafSigner } from '../../../src/ca/leaf-signer.js';
import { encodeTbs, signTbs } from '../../../src/ca/certificate-assembly.js';
import { readCertificate, readSubjectKeyIdentifier } from '../../../src/ca/certificate-reader.js';
import { booleanValue, integerFromNumber, octetString, oid, sequence } from '../../../src/ca/der.js';
import { keyIdentifierOf, organizationAndCommonName } from '../../../src/ca/extensions.js';
import { nameConstraintsValue } from '../../../src/ca/name-constraints.js';
import { OID } from '../../../src/ca/oids.js';
import { encodeCertificatePem, encodePem } from '../../../src/ca/pem.js';
import { intermediateExtensions, rootExtensions } from '../../../src/ca/profile.js';
import { signatureAlgorithmFor } from '../../../src/ca/signature-algorithm.js';

x509.cryptoProvider.set(globalThis.crypto);

const NOW = new Date('2030-03-01T12:00:00Z');
const clock = fixedClock(NOW);
const RANGES = Ipv4RangeSet.parse('10.0.0.0/8,192.168.0.0/16,127.0.0.0/8');
const hex = (buffer: ArrayBuffer): string => Buffer.from(buffer).toString('hex');

function loadIntermediate(ca: CreatedCa, change: Partial<LoadCaMaterialInput> = {}): CaMaterial {
  return loadCaMaterial({
    certificatePem: ca.intermediate.certificatePem,
    privateKeyPem: ca.intermediate.privateKeyPem,
    chainPem: ca.root.certificatePem,
    allowedRanges: RANGES,
    clock,
    ...change,
  });
}

function refusal(action: () => unknown): CaError {
  try {
    action();
  } catch (error) {
    if (error instanceof CaError) return error;
    throw new Error(`expected a CaError, got ${String(error)}`);
  }
  throw new Error('expected a refusal, got none');
}

let p256: CreatedCa;
let other: CreatedCa;

beforeAll(() => {
  p256 = createCa({ keyAlgorithm: 'ecdsa-p256', allowedRanges: RANGES, clock });
  other = createCa({ keyAlgorithm: 'ecdsa-p256', allowedRanges: RANGES, clock });
});

describe('createCa', () => {
  it('makes a 10-year self-signed root with the root profile', async () => {
    const root = new x509.X509Certificate(p256.root.certificatePem);
    expect(root.subject).toMatch(/^O=smsgate-ca, CN=smsgate-ca Root CA [0-9a-f]{8}$/);
    expect(root.issuer).toBe(root.subject);
    expect(await root.isSelfSigned()).toBe(true);
    expect(root.notBefore.toISOString()).toBe('2030-03-01T11:00:00.000Z');
    expect(root.notAfter.toISOString()).toBe('2040-03-01T11:00:00.000Z');
    const basic = root.getExtension(x509.BasicConstraintsExtension)!;
    expect([basic.critical, basic.ca, basic.pathLength]).toEqual([true, true, undefined]);
    const keyUsage = root.getExtension(x509.KeyUsagesExtension)!;
    expect(keyUsage.critical).toBe(true);
    expect(keyUsage.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    expect(root.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId).toBe(hex(await root.publicKey.getKeyIdentifier()));
    expect(root.serialNumber).toMatch(/^[4-7][0-9a-f]{31}$/);
  });

  it('makes a 5-year intermediate, signed by the root, with critical IPv4 name constraints', async () => {
    const root = new x509.X509Certificate(p256.root.certificatePem);
    const intermediate = new x509.X509Certificate(p256.intermediate.certificatePem);
    const id = /Root CA ([0-9a-f]{8})$/.exec(root.subject)![1];
    expect(intermediate.subject).toBe(`O=smsgate-ca, CN=smsgate-ca Intermediate CA ${id}`);
    expect(intermediate.issuer).toBe(root.subject);
    expect(await intermediate.verify({ publicKey: root.publicKey, signatureOnly: true })).toBe(true);
    expect(intermediate.notBefore.toISOString()).toBe('2030-03-01T11:00:00.000Z');
    expect(intermediate.notAfter.toISOString()).toBe('2035-03-01T11:00:00.000Z');
    const basic = intermediate.getExtension(x509.BasicConstraintsExtension)!;
    expect([basic.critical, basic.ca, basic.pathLength]).toEqual([true, true, 0]);
    const keyUsage = intermediate.getExtension(x509.KeyUsagesExtension)!;
    expect(keyUsage.critical).toBe(true);
    expect(keyUsage.usages & (x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign)).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    // clientAuth too: the intermediate's extKeyUsage bounds its leaves', and clientAuth leaves are issued on request.
    expect(intermediate.getExtension(x509.ExtendedKeyUsageExtension)!.usages).toEqual([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]);
    expect(intermediate.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId).toBe(root.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId);
    expect(intermediate.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId).toBe(hex(await intermediate.publicKey.getKeyIdentifier()));
    const constraints = intermediate.getExtension('2.5.29.30')!;
    expect(constraints.critical).toBe(true);
    expect(Buffer.from(constraints.value).equals(Buffer.from(nameConstraintsValue(RANGES)))).toBe(true);
  });

  it('returns PKCS#8 keys that match the certificates', () => {
    for (const pair of [p256.root, p256.intermediate]) {
      expect(pair.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      const key = createPrivateKey(pair.privateKeyPem);
      expect(new NodeX509Certificate(pair.certificatePem).checkPrivateKey(key)).toBe(true);
    }
  });

  it('gives every install its own root name and honours the organization option', () => {
    expect(new x509.X509Certificate(other.root.certificatePem).subject).not.toBe(new x509.X509Certificate(p256.root.certificatePem).subject);
    const named = createCa({ keyAlgorithm: 'ecdsa-p256', allowedRanges: RANGES, clock, organization: 'Acme Labs', randomBytes: (n) => new Uint8Array(n).fill(0xab) });
    expect(new x509.X509Certificate(named.root.certificatePem).subject).toBe('O=Acme Labs, CN=Acme Labs Root CA abababab');
  });

  it.each(['', '   ', 'x'.repeat(40), 'bad\nname'])('refuses the organization %j', (organization) => {
    expect(refusal(() => createCa({ keyAlgorithm: 'ecdsa-p256', allowedRanges: RANGES, clock, organization })).reason).toBe('ca_material_invalid');
  });
});

describe('loadCaMaterial: accepted material', () => {
  it('loads an intermediate with its root: chain, root, narrowed ranges, dates', () => {
    const narrowCa = createCa({ keyAlgorithm: 'ecdsa-p256', allowedRanges: Ipv4RangeSet.parse('10.0.0.0/8'), clock });
    const material = loadIntermediate(narrowCa);
    expect(material.signerKeyKind).toEqual({ kind: 'ec', curve: 'P-256' });
    expect(material.signerCertificatePem).toBe(narrowCa.intermediate.certificatePem);
    expect(material.chainPem).toBe(narrowCa.intermediate.certificatePem);
    expect(material.rootPem).toBe(narrowCa.root.certificatePem);
    expect(material.allowedRanges.toStrings()).toEqual(['10.0.0.0/8']);
    expect(material.notAfter.toISOString()).toBe('2035-03-01T11:00:00.000Z');
    expect(new x509.X509Certificate(material.signerCertificateDer).subject).toContain('Intermediate CA');
  });

  it('accepts a SEC1 "EC PRIVATE KEY"', () => {
    const sec1 = createPrivateKey(p256.intermediate.privateKeyPem).export({ type: 'sec1', format: 'pem' }).toString();
    expect(sec1).toContain('BEGIN EC PRIVATE KEY');
    expect(loadIntermediate(p256, { privateKeyPem: sec1 }).signerKeyKind).toEqual({ kind: 'ec', curve: 'P-256' });
  });

  it('accepts a PKCS#1 "RSA PRIVATE KEY" and signs leaves with it', () => {
    const rsa = createCa({ keyAlgorithm: 'rsa-2048', allowedRanges: RANGES, clock });
    const pkcs1 = createPrivateKey(rsa.intermediate.privateKeyPem).export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(pkcs1).toContain('BEGIN RSA PRIVATE KEY');
    const material = loadIntermediate(rsa, { privateKeyPem: pkcs1 });
    expect(material.signerKeyKind).toEqual({ kind: 'rsa', bits: 2048 });
    const leaf = new LeafSigner(material, { clock }).issue({ subject: { spki: generateKeyPair('ecdsa-p256').spki, key: { kind: 'ec', curve: 'P-256' } }, ips: ['10.0.0.1'], type: 'webhook' });
    expect(leaf.chainPem).toBe(leaf.pem + rsa.intermediate.certificatePem);
  }, 30_000); // two RSA-2048 key generations: seconds on a busy machine

  it('uses a root directly ("bring your own root"): it is its own trust anchor and adds nothing to chains', async () => {
    const material = loadCaMaterial({ certificatePem: p256.root.certificatePem, privateKeyPem: p256.root.privateKeyPem, allowedRanges: RANGES, clock });
    expect(material.rootPem).toBe(p256.root.certificatePem);
    expect(material.chainPem).toBe('');
    expect(material.allowedRanges.toStrings()).toEqual(RANGES.toStrings());
    const leaf = new LeafSigner(material, { clock }).issue({ subject: { spki: generateKeyPair('ecdsa-p256').spki, key: { kind: 'ec', curve: 'P-256' } }, ips: ['127.0.0.1'], type: 'webhook' });
    expect(leaf.chainPem).toBe(leaf.pem);
    const root = new x509.X509Certificate(p256.root.certificatePem);
    expect(await new x509.X509Certificate(leaf.der).verify({ publicKey: root.publicKey, signatureOnly: true })).toBe(true);
  });

  it('reads certificate files with text between the blocks, as openssl writes them', () => {
    const annotated = `subject=O=smsgate-ca\n${p256.intermediate.certificatePem}\nissuer=O=smsgate-ca\n${p256.root.certificatePem}trailer\n`;
    const material = loadIntermediate(p256, { certificatePem: annotated, chainPem: undefined });
    expect(material.chainPem).toBe(p256.intermediate.certificatePem);
    expect(material.rootPem).toBe(p256.root.certificatePem);
  });

  it('loads a root made by @peculiar/x509 and signs leaves with it', async () => {
    const keys = await globalThis.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const root = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '5a01',
      name: 'O=Peculiar Lab, CN=Peculiar Lab Root',
      notBefore: new Date('2030-01-01T00:00:00Z'),
      notAfter: new Date('2032-01-01T00:00:00Z'),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    const privateKeyPem = encodePem('PRIVATE KEY', new Uint8Array(await globalThis.crypto.subtle.exportKey('pkcs8', keys.privateKey)));
    const material = loadCaMaterial({ certificatePem: root.toString('pem'), privateKeyPem, allowedRanges: RANGES, clock });
    expect(material.signerKeyKind).toEqual({ kind: 'ec', curve: 'P-256' });
    expect(Buffer.from(material.signerCertificateDer).equals(Buffer.from(root.rawData))).toBe(true);
    const leaf = new LeafSigner(material, { clock }).issue({ subject: { spki: generateKeyPair('ecdsa-p256').spki, key: { kind: 'ec', curve: 'P-256' } }, ips: ['10.0.0.1'], type: 'webhook' });
    expect(await new x509.X509Certificate(leaf.der).verify({ publicKey: root.publicKey, signatureOnly: true })).toBe(true);
  });

  it('reads a full-chain certificate file, and a chain file that repeats the signer', () => {
    const fullChain = p256.intermediate.certificatePem + p256.root.certificatePem;
    expect(loadIntermediate(p256, { certificatePem: fullChain, chainPem: undefined }).rootPem).toBe(p256.root.certificatePem);
    expect(loadIntermediate(p256, { chainPem: fullChain }).chainPem).toBe(p256.intermediate.certificatePem);
  });
});

describe('loadCaMaterial: refusals (all ca_material_invalid)', () => {
  it.each([
    ['a key that belongs to another CA', () => loadIntermediate(p256, { privateKeyPem: other.intermediate.privateKeyPem }), /does not match/],
    ['a chain that leads to another root', () => loadIntermediate(p256, { chainPem: other.root.certificatePem }), /not issued and signed by/],
    ['an intermediate without its root', () => loadIntermediate(p256, { chainPem: undefined }), /not self-signed/],
    ['an expired CA', () => loadIntermediate(p256, { clock: fixedClock('2035-03-01T11:00:01Z') }), /not valid now/],
    ['a CA that is not valid yet', () => loadIntermediate(p256, { clock: fixedClock('2030-03-01T10:59:59Z') }), /not valid now/],
    ['a certificate file holding no certificate', () => loadIntermediate(p256, { certificatePem: 'hello' }), /no CERTIFICATE/],
    ['a certificate file holding a key', () => loadIntermediate(p256, { certificatePem: p256.intermediate.privateKeyPem }), /PRIVATE KEY/],
    ['a certificate that is not DER', () => loadIntermediate(p256, { certificatePem: '-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n' }), /not a readable/],
    ['a key that is not a key', () => loadIntermediate(p256, { privateKeyPem: 'nope' }), /not an unencrypted/],
    ['a chain whose names match but whose key differs', () => loadIntermediate(p256, { chainPem: sameNameRoot() }), /not issued and signed by/],
  ])('refuses %s', (_label, action, message) => {
    const error = refusal(action);
    expect(error.reason).toBe('ca_material_invalid');
    expect(error.message).toMatch(message);
  });

  it('refuses an encrypted private key', () => {
    const encrypted = createPrivateKey(p256.intermediate.privateKeyPem)
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' })
      .toString();
    expect(refusal(() => loadIntermediate(p256, { privateKeyPem: encrypted })).message).toMatch(/not an unencrypted/);
  });

  it('refuses an Ed25519 key', () => {
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(refusal(() => loadIntermediate(p256, { privateKeyPem: ed })).message).toMatch(/ed25519/);
  });

  it('refuses a leaf certificate as the signing CA, even with its own key', () => {
    const material = loadIntermediate(p256);
    const leafKey = generateKeyPair('ecdsa-p256');
    const leaf = new LeafSigner(material, { clock }).issue({ subject: { spki: leafKey.spki, key: { kind: 'ec', curve: 'P-256' } }, ips: ['10.0.0.1'], type: 'webhook' });
    const error = refusal(() => loadCaMaterial({ certificatePem: leaf.pem, privateKeyPem: leafKey.privateKeyPem, chainPem: material.chainPem + material.rootPem, allowedRanges: RANGES, clock }));
    expect(error.reason).toBe('ca_material_invalid');
    expect(error.message).toMatch(/not a CA certificate/);
  });

  it('refuses a sub-intermediate below an intermediate whose pathLenConstraint is 0', () => {
    const parent = loadIntermediate(p256);
    const parentFields = readCertificate(parent.signerCertificateDer);
    const child = generateKeyPair('ecdsa-p256');
    const algorithm = signatureAlgorithmFor(parent.signerKeyKind);
    const der = signTbs(
      encodeTbs({
        serialDer: integerFromNumber(4242),
        signatureAlgorithmDer: algorithm.identifierDer,
        issuerDer: parentFields.subjectDer,
        notBefore: new Date('2030-03-01T11:00:00Z'),
        notAfter: new Date('2031-03-01T11:00:00Z'),
        subjectDer: organizationAndCommonName('smsgate-ca', 'Sub CA'),
        spkiDer: child.spki,
        extensions: intermediateExtensions(keyIdentifierOf(child.spki), readSubjectKeyIdentifier(parentFields)!, RANGES),
      }),
      { key: parent.signerKey, algorithm },
    );
    const error = refusal(() =>
      loadCaMaterial({
        certificatePem: encodeCertificatePem(der),
        privateKeyPem: child.privateKeyPem,
        chainPem: p256.intermediate.certificatePem + p256.root.certificatePem,
        allowedRanges: RANGES,
        clock,
      }),
    );
    expect(error.reason).toBe('ca_material_invalid');
    expect(error.message).toMatch(/allows 0 intermediate\(s\) below it but the chain has 1/);
  });

  it('refuses a CA certificate that is not DER, even though its signature verifies', () => {
    const root = loadCaMaterial({ certificatePem: p256.root.certificatePem, privateKeyPem: p256.root.privateKeyPem, allowedRanges: RANGES, clock });
    const fields = readCertificate(root.signerCertificateDer);
    const algorithm = signatureAlgorithmFor(root.signerKeyKind);
    // BER lets an extension spell out critical FALSE; DER requires the DEFAULT to be omitted.
    const explicitlyNotCritical = sequence(oid(OID.extKeyUsage), booleanValue(false), octetString(sequence(oid(OID.serverAuth))));
    const der = signTbs(
      encodeTbs({
        serialDer: integerFromNumber(4243),
        signatureAlgorithmDer: algorithm.identifierDer,
        issuerDer: fields.subjectDer,
        notBefore: fields.notBefore,
        notAfter: fields.notAfter,
        subjectDer: fields.subjectDer,
        spkiDer: fields.spkiDer,
        extensions: [...rootExtensions(readSubjectKeyIdentifier(fields)!), explicitlyNotCritical],
      }),
      { key: root.signerKey, algorithm },
    );
    expect(new NodeX509Certificate(der).verify(new NodeX509Certificate(root.signerCertificateDer).publicKey)).toBe(true);
    const error = refusal(() => loadCaMaterial({ certificatePem: encodeCertificatePem(der), privateKeyPem: p256.root.privateKeyPem, allowedRanges: RANGES, clock }));
    expect(error.reason).toBe('ca_material_invalid');
    expect(error.message).toMatch(/not a readable X\.509 certificate: .*critical=FALSE/);
  });

  it('refuses configured ranges that the name constraints exclude entirely', () => {
    const narrowCa = createCa({ keyAlgorithm: 'ecdsa-p256', allowedRanges: Ipv4RangeSet.parse('10.0.0.0/8'), clock });
    const error = refusal(() => loadIntermediate(narrowCa, { allowedRanges: Ipv4RangeSet.parse('192.168.0.0/16') }));
    expect(error.message).toMatch(/permit none/);
  });
});

/** A root with the same subject name as p256's but a different key (same install id). */
function sameNameRoot(): string {
  const id = /Root CA ([0-9a-f]{8})/.exec(new x509.X509Certificate(p256.root.certificatePem).subject)![1]!;
  const idBytes = Buffer.from(id, 'hex');
  let first = true;
  const twin = createCa({
    keyAlgorithm: 'ecdsa-p256',
    allowedRanges: RANGES,
    clock,
    randomBytes: (size) => {
      const bytes = first ? Uint8Array.from(idBytes) : new Uint8Array(size).fill(7);
      first = false;
      return bytes;
    },
  });
  expect(new x509.X509Certificate(twin.root.certificatePem).subject).toBe(new x509.X509Certificate(p256.root.certificatePem).subject);
  return twin.root.certificatePem;
}
