/**
 * CSR in → certificate out, per second, through the pure core (validateCsr + LeafSigner.issue), side
 * by side with the ceiling set by raw node crypto: one crypto.verify (the CSR signature) plus one
 * crypto.sign (the certificate), with the CSR key pre-imported and, more realistically, imported
 * from its SPKI each time. One table for a P-256 CSR, one for an RSA-2048 CSR (whose modulus goes
 * through the weak-key checks), then the cost of those checks alone per modulus size. The core's
 * intake refuses the CA's own keys, as every door's does.
 * Run: npm run bench:sign (BENCH_SECONDS=<n> to change the time per row; BENCH_CLOCK=cpu on a busy machine).
 */
import { createPublicKey, generateKeyPairSync, sign, verify, X509Certificate, type JsonWebKey, type KeyObject } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { bitString, implicitConstructed, implicitPrimitive, integerFromNumber, octetString, oid, sequence, set, utf8String } from '../src/ca/der.js';
import { childrenOf, encodingOf, readSingle } from '../src/ca/der-reader.js';
import { encodePem } from '../src/ca/pem.js';
import { signatureAlgorithmFor } from '../src/ca/signature-algorithm.js';
import {
  checkRsaModulus,
  CSR_PROFILES,
  Ipv4RangeSet,
  LeafSigner,
  validateCsr,
  type CsrPolicy,
  type KeyAlgorithm,
} from '../src/ca/index.js';
import { freshIntermediate } from './bench-ca.js';

const SECONDS_PER_ROW = Number(process.env.BENCH_SECONDS ?? 2.5);
/**
 * BENCH_CLOCK=cpu counts this process's CPU time (user + system) instead of wall time: on a machine
 * other work keeps busy, the wall-clock rate measures the scheduler's share, not the code.
 */
const CPU_CLOCK = process.env.BENCH_CLOCK === 'cpu';
const IP = '192.168.1.10';
const RANGES = Ipv4RangeSet.defaults;

interface Csr {
  readonly pem: string;
  readonly info: Uint8Array;
  readonly signature: Uint8Array;
  readonly publicKey: KeyObject;
  readonly jwk: JsonWebKey;
}

type CsrKey = 'P-256' | 'RSA-2048';
const SIGNATURE_OIDS: Record<CsrKey, string> = { 'P-256': '1.2.840.10045.4.3.2', 'RSA-2048': '1.2.840.113549.1.1.11' };

function generateCsrKey(kind: CsrKey): { privateKey: KeyObject; publicKey: KeyObject } {
  return kind === 'P-256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** A CSR as the seed docs make them: CN=<ip> and one IP SAN, signed with SHA-256. */
function makeCsr(kind: CsrKey): Csr {
  const { privateKey, publicKey } = generateCsrKey(kind);
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const san = sequence(implicitPrimitive(7, Uint8Array.from(IP.split('.').map(Number))));
  const extensionRequest = sequence(oid('1.2.840.113549.1.9.14'), set(sequence(sequence(oid('2.5.29.17'), octetString(san)))));
  const info = sequence(
    integerFromNumber(0),
    sequence(set(sequence(oid('2.5.4.3'), utf8String(IP)))),
    spki,
    implicitConstructed(0, extensionRequest),
  );
  const signature = new Uint8Array(sign('sha256', info, privateKey));
  const algorithm = kind === 'P-256' ? sequence(oid(SIGNATURE_OIDS[kind])) : sequence(oid(SIGNATURE_OIDS[kind]), Uint8Array.of(5, 0));
  const der = sequence(info, algorithm, bitString(signature));
  const pem = encodePem('CERTIFICATE REQUEST', der);
  return { pem, info, signature, publicKey, jwk: publicKey.export({ format: 'jwk' }) };
}

/** Seconds on the bench's clock: wall time, or with BENCH_CLOCK=cpu this process's CPU time. */
function clockSeconds(): number {
  if (!CPU_CLOCK) return Number(process.hrtime.bigint()) / 1e9;
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Runs `body` repeatedly for about `seconds` (on the bench's clock) after a short warm-up; returns operations per second. */
function rate(seconds: number, body: () => void): number {
  for (let i = 0; i < 200; i++) body();
  const start = clockSeconds();
  let count = 0;
  let elapsed = 0;
  while (elapsed < seconds) {
    for (let i = 0; i < 50; i++) body();
    count += 50;
    elapsed = clockSeconds() - start;
  }
  return count / elapsed;
}

interface Row {
  readonly ca: string;
  readonly core: number;
  readonly raw: number;
  readonly rawWithImport: number;
  readonly signOnly: number;
  readonly verifyOnly: number;
}

function measure(keyAlgorithm: KeyAlgorithm, csr: Csr): Row {
  const material = freshIntermediate(keyAlgorithm, RANGES);
  const signer = new LeafSigner(material);
  // As every door's intake: the profile, and never the CA's own keys.
  const policy: CsrPolicy = { allowedRanges: RANGES, profile: CSR_PROFILES.smsgate, forbiddenKeys: signer.caKeys };
  const { hash } = signatureAlgorithmFor(material.signerKeyKind);
  const sample = validateCsr(csr.pem, policy);
  const sampleDer = signer.issue({ subject: sample, ips: sample.ips, type: 'webhook' }).der;
  if (!new X509Certificate(sampleDer).verify(new X509Certificate(material.signerCertificateDer).publicKey)) {
    throw new Error('the benchmarked certificate does not verify');
  }
  // The raw sign signs a real TBSCertificate, so it hashes exactly as much as issue() does.
  const tbs = encodingOf(childrenOf(readSingle(sampleDer))[0]!);

  const core = rate(SECONDS_PER_ROW, () => {
    const validated = validateCsr(csr.pem, policy);
    signer.issue({ subject: validated, ips: validated.ips, type: 'private_server' });
  });
  const raw = rate(SECONDS_PER_ROW, () => {
    if (!verify('sha256', csr.info, csr.publicKey, csr.signature)) throw new Error('CSR signature must verify');
    sign(hash, tbs, material.signerKey);
  });
  // Every CSR brings a new key, so a real verify must import it first. JWK is node's fastest import
  // path (OpenSSL 3 decodes an EC SPKI DER about twice as slowly).
  const rawWithImport = rate(SECONDS_PER_ROW, () => {
    const key = createPublicKey({ key: csr.jwk, format: 'jwk' });
    if (!verify('sha256', csr.info, key, csr.signature)) throw new Error('CSR signature must verify');
    sign(hash, tbs, material.signerKey);
  });
  const signOnly = rate(SECONDS_PER_ROW / 2, () => sign(hash, tbs, material.signerKey));
  const verifyOnly = rate(SECONDS_PER_ROW / 2, () => verify('sha256', csr.info, csr.publicKey, csr.signature));
  return { ca: keyAlgorithm, core, raw, rawWithImport, signOnly, verifyOnly };
}

function printTable(rows: readonly Row[]): void {
  const header = ['CA key', 'core certs/s', 'raw verify+sign/s', 'core/raw', 'raw import+verify+sign/s', 'core/that', 'raw sign/s', 'raw verify/s'];
  const percent = (part: number, whole: number) => `${((part / whole) * 100).toFixed(0)}%`;
  const lines = rows.map((row) => [
    row.ca,
    row.core.toFixed(0),
    row.raw.toFixed(0),
    percent(row.core, row.raw),
    row.rawWithImport.toFixed(0),
    percent(row.core, row.rawWithImport),
    row.signOnly.toFixed(0),
    row.verifyOnly.toFixed(0),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const format = (cells: readonly string[]) => cells.map((cell, column) => cell.padStart(widths[column]!)).join('  ');
  console.log(format(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const line of lines) console.log(format(line));
}

function printLegend(): void {
  console.log('\nraw verify+sign: crypto.verify of the CSR signature with its key already imported + crypto.sign of a real TBS.');
  console.log('raw import+verify+sign: the same, importing the CSR key (as JWK, the fastest way) first, as every new CSR requires.');
}

/** Microseconds per checkRsaModulus call on the modulus of a fresh key of each size. */
function printModulusChecks(): void {
  console.log('\nRSA weak-key checks alone (small primes < 1000, ROCA fingerprint, 100 Fermat rounds), per modulus:');
  for (const bits of [2048, 3072, 4096]) {
    const jwk = generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ format: 'jwk' });
    const modulus = new Uint8Array(Buffer.from(jwk.n!, 'base64url'));
    const perSecond = rate(SECONDS_PER_ROW / 2, () => checkRsaModulus(modulus));
    console.log(`  RSA-${bits}: ${(1e6 / perSecond).toFixed(1)} µs (${perSecond.toFixed(0)}/s)`);
  }
}

console.log(`smsgate-ca signing bench: CSR (CN=${IP}, SAN IP) → leaf, 'smsgate' policy, one core, ~${SECONDS_PER_ROW}s per measurement${CPU_CLOCK ? ' of CPU time (BENCH_CLOCK=cpu: rates per CPU-second)' : ''}`);
console.log(`node ${process.version}, ${process.arch}`);
for (const kind of ['P-256', 'RSA-2048'] as const) {
  const csr = makeCsr(kind);
  console.log(`\n${kind} CSR:`);
  printTable((['ecdsa-p256', 'rsa-2048'] as const).map((algorithm) => measure(algorithm, csr)));
}
printModulusChecks();
printLegend();
