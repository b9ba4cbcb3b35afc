import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock, Ipv4RangeSet, LeafSigner, type CaMaterial, type Clock } from '../../../src/ca/index.js';
import { IssuanceService } from '../../../src/issuance/issuance-service.js';
import { testCa } from '../../support/test-ca.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { createMetrics, type CaMetrics } from '../../../src/telemetry/metrics.js';

export const RANGES = Ipv4RangeSet.parse('10.0.0.0/8,172.16.0.0/12,192.168.0.0/16');
export const NOW = new Date('2026-06-01T12:00:00.000Z');

export function testMaterial(clock: Clock = fixedClock(NOW)): CaMaterial {
  return testCa({ allowedRanges: RANGES, clock });
}

export interface ServiceFixture {
  readonly service: IssuanceService;
  readonly store: SqliteStore;
  readonly metrics: CaMetrics;
  readonly material: CaMaterial;
  cleanup(): void;
}

/** A service over a real SQLite file and a real (ECDSA) CA, with a fixed clock. */
export function serviceFixture(material: CaMaterial = testMaterial(), clock: Clock = fixedClock(NOW)): ServiceFixture {
  const dir = mkdtempSync(join(tmpdir(), 'smsgate-ca-issuance-'));
  const store = SqliteStore.open(join(dir, 'test.db'));
  const metrics = createMetrics({ processMetrics: false });
  const service = new IssuanceService({
    store,
    signer: new LeafSigner(material, { clock }),
    allowedRanges: material.allowedRanges,
    clock,
    logger: silentLogger(),
    metrics,
  });
  return {
    service,
    store,
    metrics,
    material,
    cleanup: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
