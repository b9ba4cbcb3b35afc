import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, CRLDistributionPoints, id_ce_cRLDistributionPoints } from '@peculiar/asn1-x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CaMaterial } from '../../../src/ca/ca-material.js';
import { fixedClock } from '../../../src/shared/clock.js';
import { CaError } from '../../../src/ca/errors.js';
import { Ipv4RangeSet } from '../../../src/ca/ip-ranges.js';
import { generateKeyPair, publicKeyKindOfAlgorithm } from '../../../src/ca/key-generation.js';
import { LeafSigner, type LeafSignerOptions } from '../../../src/ca/leaf-signer.js';
import { testCa } from '../../support/test-ca.js';

const clock = fixedClock('2030-03-01T12:00:00Z');
const RANGES = Ipv4RangeSet.parse('10.0.0.0/8,172.16.0.0/12,192.168.0.0/16');
const subject = { spki: generateKeyPair('ecdsa-p256').spki, key: publicKeyKindOfAlgorithm('ecdsa-p256') };

let material: CaMaterial;

beforeAll(() => {
  material = testCa({ allowedRanges: RANGES, clock });
});

function leafExtensions(options: LeafSignerOptions) {
  const issued = new LeafSigner(material, { clock, ...options }).issue({ subject, ips: ['10.0.0.7'], type: 'private_server' });
  return AsnConvert.parse(issued.der, Certificate).tbsCertificate.extensions ?? [];
}

describe('LeafSigner crlDistributionPointUrl', () => {
  it.each(['http://10.0.0.2:8080/crl', 'http://crl.ca.internal/crl?x=1'])('puts one non-critical fullName URI %s last', (url) => {
    const extensions = leafExtensions({ crlDistributionPointUrl: url });
    expect(extensions.map((extension) => extension.extnID)).toEqual(['2.5.29.19', '2.5.29.15', '2.5.29.37', '2.5.29.14', '2.5.29.35', '2.5.29.17', id_ce_cRLDistributionPoints]);
    const cdp = extensions.at(-1)!;
    expect(cdp.critical).toBe(false);
    const points = AsnConvert.parse(cdp.extnValue.buffer, CRLDistributionPoints);
    expect(points).toHaveLength(1);
    expect(points[0]!.reasons).toBeUndefined();
    expect(points[0]!.cRLIssuer).toBeUndefined();
    expect(points[0]!.distributionPoint?.nameRelativeToCRLIssuer).toBeUndefined();
    expect(points[0]!.distributionPoint?.fullName?.map((name) => name.uniformResourceIdentifier)).toEqual([url]);
    // SEQUENCE { SEQUENCE { [0] { [0] { [6] uri } } } }: the explicit CHOICE tag, then implicit GeneralNames.
    const bytes = Buffer.from(cdp.extnValue.buffer);
    expect([bytes[0], bytes[2], bytes[4], bytes[6], bytes[8]]).toEqual([0x30, 0x30, 0xa0, 0xa0, 0x86]);
  });

  it('leaves the profile unchanged when unset', () => {
    expect(leafExtensions({}).map((extension) => extension.extnID)).toEqual(['2.5.29.19', '2.5.29.15', '2.5.29.37', '2.5.29.14', '2.5.29.35', '2.5.29.17']);
  });

  it.each(['', 'crl', '/crl', 'http://10.0.0.2/a b', 'http://crl.exämple/crl', 'http://'])('refuses %j as a URI', (url) => {
    expect(() => new LeafSigner(material, { clock, crlDistributionPointUrl: url })).toThrow(CaError);
    try {
      new LeafSigner(material, { clock, crlDistributionPointUrl: url });
    } catch (error) {
      expect((error as CaError).reason).toBe('extension_invalid');
    }
  });
});
