import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock, LeafSigner } from '../../../src/ca/index.js';
import { IssuanceService } from '../../../src/issuance/issuance-service.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { buildCsr, readCsrFixture } from '../../support/csr-factory.js';
import { NOW, testMaterial } from './test-ca.js';

/** The real SMSGate client's CSR: its extKeyUsage value carries 4 stray bytes. */
const CLIENT_CSR = readCsrFixture('smsgate-cli-192.168.1.10.csr');
const NOTE = /ignored malformed requested extension\(s\), never copied: extension extKeyUsage \(2\.5\.29\.37\): 4 unexpected trailing byte\(s\)/;

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

/** A service over a real SQLite store whose debug log lands in `lines`. */
function serviceWithLog(): { service: IssuanceService; store: SqliteStore; lines: Array<Record<string, unknown>> } {
  const dir = mkdtempSync(join(tmpdir(), 'smsgate-ca-ignored-'));
  const store = SqliteStore.open(join(dir, 'test.db'));
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const clock = fixedClock(NOW);
  const material = testMaterial(clock);
  const logger = createLogger({ level: 'debug', destination });
  const service = new IssuanceService({ store, signer: new LeafSigner(material, { clock }), allowedRanges: material.allowedRanges, clock, logger });
  cleanup = () => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { service, store, lines };
}

const debugNotes = (lines: ReadonlyArray<Record<string, unknown>>) => lines.filter((line) => line['level'] === 'debug' && NOTE.test(String(line['msg'])));

describe('a malformed extension the profile ignores is noted in the audit record and the debug log', () => {
  it('REST submit: accepted, the submitted audit entry says what was ignored', async () => {
    const { service, store, lines } = serviceWithLog();
    const { record } = await service.submit({ csrPem: CLIENT_CSR, type: 'webhook', metadata: {}, requester: '10.0.0.9' });
    expect(record).toMatchObject({ status: 'pending', ips: ['192.168.1.10'] });
    const audit = await store.list();
    expect(audit).toMatchObject([{ event: 'submitted', requestId: record.id }]);
    expect(audit[0]!.detail).toMatch(NOTE);
    expect(debugNotes(lines)).toHaveLength(1);
    expect(debugNotes(lines)[0]).toMatchObject({ door: 'rest', requestId: record.id, extensions: [{ oid: '2.5.29.37' }] });
  });

  it('issue() with a CSR (Kubernetes CSR mode, cert-manager): issued, and the issued audit entry says so', async () => {
    const { service, store, lines } = serviceWithLog();
    const issued = await service.issue({ door: 'kubernetes', requester: 'kubernetes:default/x', type: 'webhook', csr: { pem: CLIENT_CSR }, reference: 'default/x' });
    expect(issued.ips).toEqual(['192.168.1.10']);
    const audit = await store.list();
    expect(audit).toMatchObject([{ event: 'issued', serialNumber: issued.serialNumber }]);
    expect(audit[0]!.detail).toMatch(NOTE);
    expect(debugNotes(lines)).toHaveLength(1);
  });

  it('issue() with the CSR of an ACME order (finalize) carries the note through', async () => {
    const { service, store } = serviceWithLog();
    const issued = await service.issue({ door: 'acme', requester: 'acme', type: 'webhook', csr: { pem: CLIENT_CSR, identifiers: ['192.168.1.10'] } });
    expect((await store.list()).find((entry) => entry.serialNumber === issued.serialNumber)?.detail).toMatch(NOTE);
  });

  it('a well-formed CSR leaves the audit detail empty and logs no note', async () => {
    const { service, store, lines } = serviceWithLog();
    await service.submit({ csrPem: buildCsr().pem, type: 'webhook', metadata: {}, requester: 'x' });
    expect((await store.list())[0]!.detail).toBeUndefined();
    expect(debugNotes(lines)).toHaveLength(0);
  });
});
