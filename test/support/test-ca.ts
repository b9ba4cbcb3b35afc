import { createCa, Ipv4RangeSet, loadCaMaterial, systemClock, type CaMaterial, type Clock, type KeyAlgorithm } from '../../src/ca/index.js';

/** The private ranges of RFC 1918, what most suites let their CA certify. */
export const PRIVATE_RANGES = Ipv4RangeSet.parse('10.0.0.0/8,172.16.0.0/12,192.168.0.0/16');

export interface TestCaOptions {
  readonly keyAlgorithm?: KeyAlgorithm;
  readonly allowedRanges?: Ipv4RangeSet;
  readonly clock?: Clock;
}

/** A fresh root and intermediate, loaded as the signing material a server would use: the suites' test CA. */
export function testCa(options: TestCaOptions = {}): CaMaterial {
  const allowedRanges = options.allowedRanges ?? PRIVATE_RANGES;
  const clock = options.clock ?? systemClock;
  const ca = createCa({ keyAlgorithm: options.keyAlgorithm ?? 'ecdsa-p256', allowedRanges, clock });
  return loadCaMaterial({
    certificatePem: ca.intermediate.certificatePem,
    privateKeyPem: ca.intermediate.privateKeyPem,
    chainPem: ca.root.certificatePem,
    allowedRanges,
    clock,
  });
}
