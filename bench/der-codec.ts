/**
 * The core's own DER codec side by side with @peculiar/x509 on the same inputs, one at a time on
 * one core: a P-256 CSR (CN=IP, one IP SAN) parsed with its signature verified; a certificate
 * parsed with its subjectAltName read; a leaf with the product's extensions signed by a P-256
 * intermediate. Then what importing each costs a fresh node process.
 * Run: npm run build && node dist/bench/der-codec.js (BENCH_SECONDS per row, default 2).
 */
import 'reflect-metadata'; // @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded first
import { spawnSync } from 'node:child_process';
import { createPrivateKey, X509Certificate as NodeX509, type webcrypto } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as x509 from '@peculiar/x509';
import { buildClientCsr, CertificateInspection, createCa, CSR_PROFILES, Ipv4RangeSet, LeafSigner, loadCaMaterial, systemClock, validateCsr, type CsrPolicy } from '../src/ca/index.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const IP = '192.168.1.10';
const RANGES = Ipv4RangeSet.defaults;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ECDSA = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

/** Operations per second of `body`, awaited one at a time, for about `seconds` after a warm-up. */
async function rate(seconds: number, body: () => unknown): Promise<number> {
  for (let i = 0; i < 100; i++) await body();
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < seconds * 1000) {
    for (let i = 0; i < 20; i++) await body();
    count += 20;
  }
  return count / ((performance.now() - started) / 1000);
}

interface Inputs {
  readonly csrPem: string;
  readonly leafDer: Uint8Array;
  readonly signer: LeafSigner;
  readonly peculiarIssuer: { readonly name: string; readonly key: webcrypto.CryptoKey; readonly keyIdentifier: string };
  readonly intermediatePem: string;
}

async function inputs(): Promise<Inputs> {
  const ca = createCa({ keyAlgorithm: 'ecdsa-p256', allowedRanges: RANGES, clock: systemClock });
  const material = loadCaMaterial({
    certificatePem: ca.intermediate.certificatePem,
    privateKeyPem: ca.intermediate.privateKeyPem,
    chainPem: ca.root.certificatePem,
    allowedRanges: RANGES,
    clock: systemClock,
  });
  const signer = new LeafSigner(material);
  const { csrPem } = buildClientCsr(IP);
  const validated = validateCsr(csrPem, { allowedRanges: RANGES, profile: CSR_PROFILES.smsgate });
  const leafDer = signer.issue({ subject: validated, ips: validated.ips, type: 'webhook' }).der;
  const pkcs8 = createPrivateKey(ca.intermediate.privateKeyPem).export({ type: 'pkcs8', format: 'der' });
  const key = await globalThis.crypto.subtle.importKey('pkcs8', pkcs8, ECDSA, false, ['sign']);
  const intermediate = new x509.X509Certificate(ca.intermediate.certificatePem);
  const ski = intermediate.getExtension(x509.SubjectKeyIdentifierExtension);
  return { csrPem, leafDer, signer, intermediatePem: ca.intermediate.certificatePem, peculiarIssuer: { name: intermediate.subject, key, keyIdentifier: ski?.keyId ?? '' } };
}

async function peculiarLeaf(csr: x509.Pkcs10CertificateRequest, issuer: Inputs['peculiarIssuer'], serial: number): Promise<x509.X509Certificate> {
  const now = Date.now();
  return x509.X509CertificateGenerator.create({
    serialNumber: `7f${serial.toString(16).padStart(30, '0')}`,
    subject: `CN=${IP}`,
    issuer: issuer.name,
    notBefore: new Date(now - 3_600_000),
    notAfter: new Date(now + 365 * 86_400_000),
    signingAlgorithm: ECDSA,
    publicKey: csr.publicKey,
    signingKey: issuer.key,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: IP }]),
      new x509.AuthorityKeyIdentifierExtension(issuer.keyIdentifier),
      new x509.SubjectKeyIdentifierExtension(Buffer.from(await csr.publicKey.getKeyIdentifier()).toString('hex')),
    ],
  });
}

async function main(): Promise<void> {
  const input = await inputs();
  const policy: CsrPolicy = { allowedRanges: RANGES, profile: CSR_PROFILES.smsgate };
  const peculiarCsr = new x509.Pkcs10CertificateRequest(input.csrPem);
  if (!(await peculiarCsr.verify())) throw new Error('@peculiar/x509 does not verify the CSR');
  const sample = await peculiarLeaf(peculiarCsr, input.peculiarIssuer, 1);
  if (!new NodeX509(sample.toString('pem')).checkIssued(new NodeX509(input.intermediatePem))) throw new Error('the @peculiar/x509 leaf is not issued by the intermediate');
  let serial = 0;
  const rows: Array<[string, number, number]> = [
    [
      'CSR: parse + verify signature',
      await rate(SECONDS, () => validateCsr(input.csrPem, policy)),
      await rate(SECONDS, async () => {
        const csr = new x509.Pkcs10CertificateRequest(input.csrPem);
        if (!(await csr.verify())) throw new Error('CSR must verify');
        return csr.getExtension('2.5.29.17');
      }),
    ],
    [
      'certificate: parse + read SAN',
      await rate(SECONDS, () => new CertificateInspection(input.leafDer).subjectAltNames()),
      await rate(SECONDS, () => new x509.X509Certificate(input.leafDer).getExtension(x509.SubjectAlternativeNameExtension)?.names.items),
    ],
    [
      'leaf: build + sign (P-256)',
      await rate(SECONDS, () => {
        const validated = validateCsr(input.csrPem, policy);
        return input.signer.issue({ subject: validated, ips: validated.ips, type: 'webhook' });
      }),
      await rate(SECONDS, async () => peculiarLeaf(new x509.Pkcs10CertificateRequest(input.csrPem), input.peculiarIssuer, ++serial)),
    ],
  ];
  console.log(`DER codec: the core (src/ca) vs @peculiar/x509, same inputs, awaited one at a time, ~${SECONDS}s per cell; node ${process.version}`);
  console.log(`${'operation'.padEnd(34)}${'core ops/s'.padStart(12)}${'@peculiar/x509 ops/s'.padStart(24)}${'core/peculiar'.padStart(16)}`);
  for (const [name, core, peculiar] of rows) {
    console.log(`${name.padEnd(34)}${core.toFixed(0).padStart(12)}${peculiar.toFixed(0).padStart(24)}${`${(core / peculiar).toFixed(1)}×`.padStart(16)}`);
  }
  console.log('(the core\'s leaf row also parses and checks the CSR against the policy; the @peculiar/x509 row parses it without checks)');
  printImportCost();
}

function printImportCost(): void {
  const targets: Array<[string, string]> = [
    ['core: dist/src/ca/index.js', `'${ROOT}/dist/src/ca/index.js'`],
    ['reflect-metadata + @peculiar/x509', `'reflect-metadata', '@peculiar/x509'`],
  ];
  console.log('\nimport cost in a fresh node process (median of 5)');
  for (const [label, specifiers] of targets) {
    const samples = Array.from({ length: 5 }, () => {
      const script = `const t = performance.now(); for (const s of [${specifiers}]) await import(s); console.log(JSON.stringify({ ms: performance.now() - t, rssMiB: process.memoryUsage().rss / 2 ** 20 }));`;
      const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`import failed: ${result.stderr}`);
      return JSON.parse(result.stdout) as { ms: number; rssMiB: number };
    }).sort((a, b) => a.ms - b.ms);
    console.log(`${label.padEnd(40)}${samples[2]!.ms.toFixed(0).padStart(6)} ms ${samples[2]!.rssMiB.toFixed(1).padStart(7)} MiB RSS`);
  }
}

await main();
