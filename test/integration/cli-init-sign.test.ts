import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCliProcess, SEED_CSR } from '../support/cli.js';
import { certificateText, openssl, pemBlocks, verifyServerChain } from '../support/openssl.js';
import { SEED_SERVER_CNF } from '../support/seed-fixtures.js';

let work: { dir: string; cleanup: () => Promise<void> };
let dataDir: string;
let rootPem: string;

beforeAll(async () => {
  work = await makeTempDir();
  dataDir = join(work.dir, 'data');
  const init = await runCliProcess(['init', '--data-dir', dataDir]);
  expect(init.stderr).toBe('');
  expect(init.code).toBe(0);
  rootPem = await readFile(join(dataDir, 'ca/root.crt'), 'utf8');
});

afterAll(() => work.cleanup());

async function signFile(csrPath: string, extra: string[] = []) {
  return runCliProcess(['sign', '--data-dir', dataDir, '--csr', csrPath, ...extra]);
}

/** The leaf profile of docs/ARCHITECTURE.md §3, read back by `openssl x509 -text`. */
function expectLeafProfile(text: string, expected: { ip: string; typeByte: '01' | '02'; rsa: boolean }): void {
  expect(text).toMatch(/Version: 3 \(0x2\)/);
  expect(text).toMatch(new RegExp(`Serial Number:\\s*\\n\\s*${expected.typeByte}(:[0-9a-f]{2}){15}\\n`));
  expect(text).toMatch(/Subject: *\n/); // empty subject: nothing copied from the CSR
  expect(text).toMatch(new RegExp(`X509v3 Subject Alternative Name: critical\\s+IP Address:${expected.ip.replaceAll('.', '\\.')}\\s*\\n`));
  expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE\s*\n/);
  const usage = expected.rsa ? 'Digital Signature, Key Encipherment' : 'Digital Signature';
  expect(text).toMatch(new RegExp(`X509v3 Key Usage: critical\\s+${usage}\\s*\\n`));
  expect(text).toMatch(/X509v3 Extended Key Usage: *\n\s+TLS Web Server Authentication\s*\n/);
  expect(text).toMatch(/X509v3 Authority Key Identifier: *\n\s+([0-9A-F]{2}:){19}[0-9A-F]{2}\n/);
  const validity = /Not Before: (.+)\n\s+Not After : (.+)\n/.exec(text)!;
  expect((Date.parse(validity[2]!) - Date.parse(validity[1]!)) / 86_400_000).toBe(365);
}

describe('smsgate-ca init', () => {
  it('writes the CA files with private keys readable by the owner only', async () => {
    for (const name of ['root.key', 'intermediate.key']) {
      expect((await stat(join(dataDir, 'ca', name))).mode & 0o777).toBe(0o600);
    }
    const intermediate = await certificateText(work.dir, await readFile(join(dataDir, 'ca/intermediate.crt'), 'utf8'));
    expect(intermediate).toMatch(/X509v3 Name Constraints: critical/);
    expect(intermediate).toMatch(/Permitted:\s+IP:10\.0\.0\.0\/255\.0\.0\.0\s+IP:172\.16\.0\.0\/255\.240\.0\.0\s+IP:192\.168\.0\.0\/255\.255\.0\.0/);
    expect(intermediate).toMatch(/Excluded:[\s\S]*IP:0:0:0:0:0:0:0:0\/0:0:0:0:0:0:0:0/);
  });

  it('refuses to overwrite an existing CA', async () => {
    const before = await readFile(join(dataDir, 'ca/root.key'), 'utf8');
    const again = await runCliProcess(['init', '--data-dir', dataDir]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already exists/);
    expect(await readFile(join(dataDir, 'ca/root.key'), 'utf8')).toBe(before);
  });

  it('reads its flags from SMSGATE_CA_* environment variables', async () => {
    const envDir = join(work.dir, 'env-data');
    const result = await runCliProcess(['init'], {
      env: { ...process.env, SMSGATE_CA_DATA_DIR: envDir, SMSGATE_CA_KEY_ALGORITHM: 'ecdsa-p384' },
    });
    expect(result.code).toBe(0);
    const text = await certificateText(work.dir, await readFile(join(envDir, 'ca/root.crt'), 'utf8'));
    expect(text).toMatch(/NIST CURVE: P-384/);
  });
});

describe('smsgate-ca sign', () => {
  it('(a) signs the real SMSGate fixture CSR; the chain passes strict openssl verification', async () => {
    const result = await signFile(SEED_CSR);
    expect(result.code).toBe(0);
    const blocks = pemBlocks(result.stdout);
    expect(blocks).toHaveLength(2);
    const verify = await verifyServerChain(work.dir, result.stdout, rootPem, '192.168.1.2');
    expect(verify.stdout + verify.stderr).toMatch(/verify-leaf\.pem: OK/);
    expect(verify.code).toBe(0);
    const wrongIp = await verifyServerChain(work.dir, result.stdout, rootPem, '192.168.1.3');
    expect(wrongIp.code).not.toBe(0);
    expectLeafProfile(await certificateText(work.dir, blocks[0]!), { ip: '192.168.1.2', typeByte: '01', rsa: true });
  });

  it('(b) signs a CSR made exactly as the seed documentation describes (openssl genrsa + server.cnf)', async () => {
    const dir = join(work.dir, 'doc-flow');
    await mkdir(dir);
    await writeFile(join(dir, 'server.cnf'), SEED_SERVER_CNF);
    expect((await openssl(['genrsa', '-out', 'server.key', '2048'], { cwd: dir })).code).toBe(0);
    const req = await openssl(['req', '-new', '-key', 'server.key', '-out', 'server.csr', '-extensions', 'v3_req', '-config', './server.cnf'], { cwd: dir });
    expect(req.stderr).toBe('');
    const result = await signFile(join(dir, 'server.csr'), ['--type', 'private_server', '--out', join(dir, 'server.crt')]);
    expect(result.code).toBe(0);
    const chain = await readFile(join(dir, 'server.crt'), 'utf8');
    const verify = await verifyServerChain(dir, chain, rootPem, '192.168.1.10');
    expect(verify.code).toBe(0);
    expectLeafProfile(await certificateText(dir, pemBlocks(chain)[0]!), { ip: '192.168.1.10', typeByte: '02', rsa: true });
    // The certificate's key is the one generated by openssl genrsa.
    const certKey = await openssl(['x509', '-in', join(dir, 'server.crt'), '-noout', '-pubkey']);
    const ownKey = await openssl(['pkey', '-in', join(dir, 'server.key'), '-pubout']);
    expect(certKey.stdout).toBe(ownKey.stdout);
  });

  it('(c) signs an ECDSA P-256 CSR like the SMSGate Go CLI makes, with the leaf profile', async () => {
    const dir = work.dir;
    const req = await openssl(
      [
        'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'go.key', '-out', 'go.csr',
        '-subj', '/CN=10.0.0.5', '-addext', 'subjectAltName=IP:10.0.0.5',
        '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment', '-addext', 'extendedKeyUsage=serverAuth',
      ],
      { cwd: dir },
    );
    expect(req.code).toBe(0);
    const result = await signFile(join(dir, 'go.csr'));
    expect(result.code).toBe(0);
    const verify = await verifyServerChain(dir, result.stdout, rootPem, '10.0.0.5');
    expect(verify.code).toBe(0);
    expectLeafProfile(await certificateText(dir, pemBlocks(result.stdout)[0]!), { ip: '10.0.0.5', typeByte: '01', rsa: false });
  });

  it('refuses a public IP with a one-line reason and writes nothing', async () => {
    const dir = work.dir;
    await openssl(
      ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'pub.key', '-out', 'pub.csr',
        '-subj', '/CN=8.8.8.8', '-addext', 'subjectAltName=IP:8.8.8.8'],
      { cwd: dir },
    );
    const out = join(dir, 'pub.crt');
    const result = await signFile(join(dir, 'pub.csr'), ['--out', out]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/identifier_not_allowed.*8\.8\.8\.8/);
    await expect(stat(out)).rejects.toThrow();
  });

  it('refuses to load an intermediate key readable by group or others', async () => {
    const keyPath = join(dataDir, 'ca/intermediate.key');
    await chmod(keyPath, 0o644);
    try {
      const result = await signFile(SEED_CSR);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/key_file_insecure.*mode 644/);
      expect(result.stdout).toBe('');
    } finally {
      await chmod(keyPath, 0o600);
    }
  });
});

describe('smsgate-ca --help', () => {
  it.each(['init', 'sign'])('%s --help lists its flags and env variables', async (name) => {
    const result = await runCliProcess([name, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/--data-dir DIR/);
    expect(result.stdout).toMatch(/SMSGATE_CA_DATA_DIR/);
  });

  it('an unknown flag is a usage error (exit code 1)', async () => {
    const result = await runCliProcess(['sign', '--bogus']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('smsgate-ca sign: unknown option --bogus (see smsgate-ca sign --help)\n');
  });
});
