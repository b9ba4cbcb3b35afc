import { createCa, Ipv4RangeSet, loadCaMaterial, systemClock, type CaMaterial, type KeyAlgorithm } from '../src/ca/index.js';

/** A fresh root and intermediate, loaded as the signer every door uses: the intermediate signs, the root is the chain. */
export function freshIntermediate(keyAlgorithm: KeyAlgorithm = 'ecdsa-p256', allowedRanges: Ipv4RangeSet = Ipv4RangeSet.defaults): CaMaterial {
  const created = createCa({ keyAlgorithm, allowedRanges, clock: systemClock });
  return loadCaMaterial({
    certificatePem: created.intermediate.certificatePem,
    privateKeyPem: created.intermediate.privateKeyPem,
    chainPem: created.root.certificatePem,
    allowedRanges,
    clock: systemClock,
  });
}
