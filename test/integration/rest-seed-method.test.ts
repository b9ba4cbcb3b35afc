import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, run } from '../support/cli.js';
import { openssl } from '../support/openssl.js';
import { SEED_SERVER_CNF } from '../support/seed-fixtures.js';
import { startServeProcess, type ServeProcess } from '../support/serve-process.js';

/**
 * The "API Method" of the SMSGate CA user documentation, step by step as printed there, in bash.
 * The only changes: the host (https://ca.sms-gate.app → the local server, via $CA), curl trusting
 * the self-hosted root through CURL_CA_BUNDLE, and the response kept in files instead of read by eye.
 */
const SEED_API_METHOD = (reqFlag: string) => `set -euo pipefail
# 1. Generate Key Pair
openssl genrsa -out server.key 2048

# 2. Create Config
cat > server.cnf <<'CNF'
${SEED_SERVER_CNF}CNF

# 3. Generate CSR
openssl req -new -key server.key -out server.csr ${reqFlag} v3_req \\
  -config ./server.cnf

# 4. Submit CSR
jq -n --arg content "$(cat server.csr)" '{content: $content}' | \\
curl -X POST \\
  -H "Content-Type: application/json" \\
  -d @- \\
  "$CA/api/v1/csr" > submitted.json

# 5. Check Status (until it is no longer pending)
REQ_12345=$(jq -r .request_id submitted.json)
for attempt in $(seq 1 100); do
  curl "$CA/api/v1/csr/$REQ_12345" > status.json
  [ "$(jq -r .status status.json)" != pending ] && break
  sleep 0.1
done

# 6. Save Certificate
jq -r .certificate status.json > server.crt
`;

let work: { dir: string; cleanup: () => Promise<void> };
let server: ServeProcess;
let dataDir: string;

beforeAll(async () => {
  work = await makeTempDir();
  dataDir = join(work.dir, 'data');
  // The documented limit is one POST per minute; each test below POSTs once from its own flow.
  server = await startServeProcess(dataDir, ['--rate-limit', '0']);
});

afterAll(async () => {
  await server?.stop();
  await work.cleanup();
});

async function runSeedMethod(name: string, reqFlag: string) {
  const dir = join(work.dir, name);
  await run('mkdir', ['-p', dir]);
  await writeFile(join(dir, 'method.sh'), SEED_API_METHOD(reqFlag));
  const result = await run('bash', ['method.sh'], { cwd: dir, env: { ...process.env, CA: server.url, CURL_CA_BUNDLE: join(dataDir, 'ca/root.crt') } });
  return { dir, result };
}

async function expectVerifiedCertificate(dir: string) {
  const submitted = JSON.parse(await readFile(join(dir, 'submitted.json'), 'utf8'));
  expect(submitted).toMatchObject({ type: 'webhook', status: 'pending', message: 'CSR submitted successfully. Await processing.' });
  expect(submitted.request_id).toMatch(/^REQ_[A-Z2-7]{26}$/);
  const status = JSON.parse(await readFile(join(dir, 'status.json'), 'utf8'));
  expect(status).toMatchObject({ request_id: submitted.request_id, status: 'approved', message: 'CSR approved. The certificate is ready for download.' });
  const verify = await openssl(
    ['verify', '-x509_strict', '-purpose', 'sslserver', '-verify_ip', '192.168.1.10', '-CAfile', join(dataDir, 'ca/root.crt'), '-untrusted', 'server.crt', 'server.crt'],
    { cwd: dir },
  );
  expect(verify.stdout + verify.stderr).toContain('server.crt: OK');
  expect(verify.code).toBe(0);
  // The certificate is for the key of step 1.
  const certKey = await openssl(['x509', '-in', 'server.crt', '-noout', '-pubkey'], { cwd: dir });
  const ownKey = await openssl(['pkey', '-in', 'server.key', '-pubout'], { cwd: dir });
  expect(certKey.stdout).toBe(ownKey.stdout);
}

describe('the seed documentation API method against a local server', () => {
  it('runs verbatim (openssl req -extensions v3_req) and the certificate verifies', async () => {
    const { dir, result } = await runSeedMethod('verbatim', '-extensions');
    expect(result.stderr).not.toMatch(/jq: error|curl: \(/);
    expect(result.code).toBe(0);
    await expectVerifiedCertificate(dir);
  });

  it('runs with -reqexts v3_req (what OpenSSL before 3.2 needs to put the SAN in the request)', async () => {
    const { dir, result } = await runSeedMethod('reqexts', '-reqexts');
    expect(result.code).toBe(0);
    await expectVerifiedCertificate(dir);
  });
});
