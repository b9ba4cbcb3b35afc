import { describe, expect, it } from 'vitest';
import { CSR_PROFILES, severalIpsProfile } from '../../../src/ca/csr-profiles.js';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { Extensions, SubjectAlternativeName, id_ce_subjectAltName } from '@peculiar/asn1-x509';
import { validateCsr } from '../../../src/ca/csr-policy.js';
import type { CsrPolicy } from '../../../src/ca/csr-policy.js';
import { CaError } from '../../../src/ca/errors.js';
import { checkIpIdentifiers } from '../../../src/ca/identifier-policy.js';
import { Ipv4RangeSet } from '../../../src/ca/ip-ranges.js';
import { formatIpv4, parseIpv4 } from '../../../src/ca/ipv4.js';
import type { ValidatedCsr } from '../../../src/ca/types.js';
import {
  basicConstraintsExtension,
  buildCsr,
  cnName,
  gn,
  keyUsageExtension,
  readCsrFixture,
  seq,
  serverAuthExtension,
  signRequest,
  testKey,
  toPem,
} from '../../support/csr-factory.js';

const smsgate: CsrPolicy = { allowedRanges: Ipv4RangeSet.defaults, profile: CSR_PROFILES.smsgate };
const multi: CsrPolicy = { allowedRanges: Ipv4RangeSet.defaults, profile: severalIpsProfile('multi', 4) };

/** The oracle: ipaddr.js's own RFC 1918 table, independent of src/ca. */
const isPrivate = (ip: string): boolean => ipaddr.IPv4.parse(ip).range() === 'private';

type Outcome = { accepted: ValidatedCsr } | { refused: CaError };

function outcome(run: () => ValidatedCsr): Outcome {
  try {
    return { accepted: run() };
  } catch (error) {
    if (error instanceof CaError) return { refused: error };
    throw error; // anything but a CaError fails the property
  }
}

// Addresses biased towards the interesting blocks and their edges, plus uniformly random ones.
const BLOCKS: ReadonlyArray<readonly [string, number]> = [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['172.0.0.0', 8],
  ['192.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['0.0.0.0', 8],
  ['224.0.0.0', 3],
];
const ipv4 = fc
  .oneof(
    fc.integer({ min: 0, max: 0xffffffff }),
    fc.constantFrom(...BLOCKS).chain(([network, prefix]) => fc.integer({ min: 0, max: 2 ** (32 - prefix) - 1 }).map((host) => parseIpv4(network) + host)),
  )
  .map(formatIpv4);

describe('property: the allowed ranges decide, and the IPs come back unchanged', () => {
  it("'smsgate': a CSR for one random IPv4 is accepted iff the address is RFC 1918", () => {
    fc.assert(
      fc.property(ipv4, (ip) => {
        const result = outcome(() => validateCsr(buildCsr({ ips: [ip], subject: cnName(ip) }).pem, smsgate));
        if (isPrivate(ip)) {
          expect(result).toEqual({ accepted: expect.objectContaining({ ips: [ip] }) });
        } else {
          expect('refused' in result && result.refused.reason).toBe('identifier_not_allowed');
          expect('refused' in result && result.refused.message).toContain(ip);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("'multi': a CSR for 1-4 distinct random IPs is accepted iff all are RFC 1918", () => {
    fc.assert(
      fc.property(fc.uniqueArray(ipv4, { minLength: 1, maxLength: 4 }), (ips) => {
        const result = outcome(() => validateCsr(buildCsr({ ips, subject: seq() }).pem, multi));
        if (ips.every(isPrivate)) {
          expect('accepted' in result && result.accepted.ips).toEqual(ips);
        } else {
          expect('refused' in result && result.refused.reason).toBe('identifier_not_allowed');
        }
      }),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------- random well-formed requests

type SanEntry = { readonly kind: 'ipv4'; readonly ip: string } | { readonly kind: 'ipv6' | 'dns'; readonly text: string } | { readonly kind: 'raw'; readonly bytes: Uint8Array };

const privateIpv4 = fc.constantFrom(...BLOCKS.slice(0, 3)).chain(([network, prefix]) =>
  fc.integer({ min: 0, max: 2 ** (32 - prefix) - 1 }).map((host) => formatIpv4(parseIpv4(network) + host)),
);

const sanEntry: fc.Arbitrary<SanEntry> = fc.oneof(
  { weight: 20, arbitrary: privateIpv4.map((ip) => ({ kind: 'ipv4' as const, ip })) },
  { weight: 4, arbitrary: ipv4.map((ip) => ({ kind: 'ipv4' as const, ip })) },
  { weight: 1, arbitrary: fc.constantFrom('::1', '2001:db8::5', '::ffff:10.0.0.1').map((text) => ({ kind: 'ipv6' as const, text })) },
  { weight: 1, arbitrary: fc.constantFrom('example.com', 'printer.lan', '10.0.0.1').map((text) => ({ kind: 'dns' as const, text })) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 0, maxLength: 8 }).filter((bytes) => bytes.length !== 4 && bytes.length !== 16).map((bytes) => ({ kind: 'raw' as const, bytes })) },
);

const requestSpec = fc.record({
  san: fc.oneof(
    { weight: 12, arbitrary: fc.array(sanEntry, { minLength: 1, maxLength: 5, size: 'xsmall' }) },
    { weight: 1, arbitrary: fc.constant([] as SanEntry[]) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  ),
  commonNames: fc.oneof(
    { weight: 6, arbitrary: fc.constant('first' as const) },
    { weight: 2, arbitrary: fc.array(fc.oneof(privateIpv4, fc.constant('localhost')), { maxLength: 2 }) },
  ),
  ca: fc.oneof({ weight: 8, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  shape: fc.constantFrom('smsgate' as const, 'multi' as const),
});
type RequestSpec = typeof requestSpec extends fc.Arbitrary<infer T> ? T : never;

function generalName(entry: SanEntry): Uint8Array {
  switch (entry.kind) {
    case 'ipv4':
      return gn.ip(entry.ip);
    case 'ipv6':
      return gn.ip(entry.text);
    case 'dns':
      return gn.dns(entry.text);
    case 'raw':
      return gn.ipRaw(entry.bytes);
  }
}

function commonNamesOf(spec: RequestSpec): string[] {
  if (spec.commonNames !== 'first') return spec.commonNames;
  const first = spec.san?.[0];
  return first?.kind === 'ipv4' ? [first.ip] : [];
}

/** The IPs a request carries: its SAN IPs, or, without any SAN in the smsgate shape, a lone IP-looking CN. */
function expectedIdentifiers(spec: RequestSpec): string[] {
  if (spec.san !== undefined) return spec.san.flatMap((entry) => (entry.kind === 'ipv4' ? [entry.ip] : []));
  const names = commonNamesOf(spec);
  return spec.shape === 'smsgate' && names.length === 1 && /^\d+\.\d+\.\d+\.\d+$/.test(names[0]!) ? names : [];
}

/** Every refusal reason that applies to `spec`, by an independent reading of the rules. */
function problemsOf(spec: RequestSpec): Set<string> {
  const problems = new Set<string>();
  const policy = spec.shape === 'smsgate' ? smsgate : multi;
  const max = policy.profile.maxIps;
  const names = commonNamesOf(spec);
  const entries = spec.san ?? [];
  const ips = expectedIdentifiers(spec);
  if (spec.san === undefined && ips.length === 0) problems.add('identifier_missing');
  if (spec.san?.length === 0) problems.add('extension_invalid');
  if (spec.ca) problems.add('ca_requested');
  if (entries.some((entry) => entry.kind === 'ipv6' || entry.kind === 'dns')) problems.add('identifier_unsupported');
  if (entries.some((entry) => entry.kind === 'raw')) problems.add('identifier_malformed');
  if (entries.length > max) problems.add('identifier_too_many');
  if (new Set(ips).size !== ips.length) problems.add('identifier_malformed');
  if (!ips.every((ip) => policy.allowedRanges.contains(parseIpv4(ip)))) problems.add('identifier_not_allowed');
  if (names.length > 1) problems.add('subject_unsupported');
  const cnOk = spec.shape === 'smsgate' ? names[0] === ips[0] : names.length === 0 || ips.includes(names[0]!);
  if (!cnOk) problems.add('common_name_mismatch');
  return problems;
}

describe('property: random well-formed requests get exactly the verdict the rules give', () => {
  it('accepted iff no rule is broken, otherwise refused with the reason of a broken rule', () => {
    fc.assert(
      fc.property(requestSpec, (spec) => {
        const { pem } = buildCsr({
          san: spec.san === undefined ? null : spec.san.map(generalName),
          subject: cnName(...commonNamesOf(spec)),
          extensions: spec.ca ? [basicConstraintsExtension(true)] : [keyUsageExtension()],
        });
        const result = outcome(() => validateCsr(pem, spec.shape === 'smsgate' ? smsgate : multi));
        const problems = problemsOf(spec);
        if (problems.size === 0) {
          expect('accepted' in result && result.accepted.ips).toEqual(expectedIdentifiers(spec));
        } else {
          expect('refused' in result && [...problems]).toContain('refused' in result ? result.refused.reason : 'accepted');
        }
      }),
      { numRuns: 400 },
    );
  });
});

// ---------------------------------------------------------------- mutations

type Mutation =
  | { readonly op: 'set'; readonly at: number; readonly value: number }
  | { readonly op: 'delete'; readonly at: number; readonly count: number }
  | { readonly op: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly op: 'truncate'; readonly at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.nat(255) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(input: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes = Buffer.from(input);
  for (const change of mutations) {
    const at = bytes.length === 0 ? 0 : change.at % bytes.length;
    if (change.op === 'set') {
      bytes = Buffer.from(bytes);
      if (bytes.length > 0) bytes[at] = change.value;
    } else if (change.op === 'delete') {
      bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + change.count)]);
    } else if (change.op === 'insert') {
      bytes = Buffer.concat([bytes.subarray(0, at), change.bytes, bytes.subarray(at)]);
    } else {
      bytes = bytes.subarray(0, at);
    }
  }
  return Uint8Array.from(bytes);
}

const bases = (() => {
  const p256 = testKey('p256');
  const rsa = testKey('rsa2048');
  const extensions = [keyUsageExtension(), serverAuthExtension()];
  return [
    { key: p256, built: buildCsr({ key: p256, extensions }) },
    { key: rsa, built: buildCsr({ key: rsa, extensions, ips: ['10.1.2.3'] }) },
    { key: p256, built: buildCsr({ key: p256, ips: ['10.0.0.1', '172.16.0.1', '192.168.0.1'], subject: seq() }) },
  ];
})();
const fixtureDers = ['seed-request-192.168.1.2.csr', 'multi-p256-10.0.0.1-10.0.0.2.csr'].map((name) =>
  Uint8Array.from(Buffer.from(readCsrFixture(name).replace(/-----[^-]+-----|\s/g, ''), 'base64')),
);
const originals = [...bases.map((base) => base.built.der), ...fixtureDers];

/**
 * The identifiers as @peculiar/asn1-csr (an independent, more lenient parser) reads them: the SAN
 * IPs, or — for a request without any SAN extension, which the smsgate shape accepts — its CN.
 */
function identifiersOf(der: Uint8Array): string[] {
  const request = AsnConvert.parse(der, CertificationRequest);
  const attribute = request.certificationRequestInfo.attributes.find((entry) => entry.type === '1.2.840.113549.1.9.14');
  const extensions = attribute ? AsnConvert.parse(attribute.values[0]!, Extensions) : [];
  const san = extensions.find((entry) => entry.extnID === id_ce_subjectAltName);
  if (!san) {
    return request.certificationRequestInfo.subject.flatMap((rdn) => rdn.filter((entry) => entry.type === '2.5.4.3').map((entry) => entry.value.toString()));
  }
  return AsnConvert.parse(san.extnValue, SubjectAlternativeName).map((name) => name.iPAddress ?? '?');
}

function expectWithinPolicy(result: Outcome, policy: CsrPolicy): void {
  if (!('accepted' in result)) return;
  const { ips, key } = result.accepted;
  expect(ips.length).toBeGreaterThanOrEqual(1);
  expect(ips.length).toBeLessThanOrEqual(policy.profile.maxIps);
  expect(ips.every((ip) => policy.allowedRanges.contains(parseIpv4(ip)))).toBe(true);
  expect(['rsa', 'ec']).toContain(key.kind);
}

describe('property: mutated CSRs are refused with a CaError, never anything else', () => {
  it('random byte edits of valid DER: only the untouched bytes are ever accepted (no malleability)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...originals), fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), (original, mutations, useMulti) => {
        const mutated = mutate(original, mutations);
        const policy = useMulti ? multi : smsgate;
        const result = outcome(() => validateCsr(toPem(mutated), policy));
        expectWithinPolicy(result, policy);
        if ('accepted' in result) expect(Buffer.from(mutated).equals(Buffer.from(original))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('random character edits of valid PEM text: accepted only when the DER is unchanged', () => {
    const edit = fc.oneof(
      fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }) }),
      fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(' ', '\n', '\r\n', '\t', '=', '-----', '-----BEGIN CERTIFICATE REQUEST-----') }),
      fc.record({ op: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 4 }) }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...originals), fc.array(edit, { minLength: 1, maxLength: 3 }), (original, edits) => {
        let pem = toPem(original);
        for (const change of edits) {
          const at = change.at % (pem.length + 1);
          pem = change.op === 'insert' ? pem.slice(0, at) + change.text + pem.slice(at) : pem.slice(0, at) + pem.slice(at + change.count);
        }
        const result = outcome(() => validateCsr(pem, multi));
        expectWithinPolicy(result, multi);
        if ('accepted' in result) {
          const body = pem.replace(/-----[A-Z ]+-----/g, '').replace(/[ \t\r\n]/g, '');
          expect(Buffer.from(body, 'base64').equals(Buffer.from(original))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('edits of the CertificationRequestInfo, re-signed: refused with a CaError or accepted within policy, agreeing with an independent parser', () => {
    fc.assert(
      fc.property(fc.constantFrom(...bases), fc.array(mutation, { minLength: 1, maxLength: 2 }), fc.boolean(), (base, mutations, useMulti) => {
        const info = mutate(base.built.info, mutations);
        const der = signRequest(info, base.key);
        const policy = useMulti ? multi : smsgate;
        const result = outcome(() => validateCsr(toPem(der), policy));
        expectWithinPolicy(result, policy);
        if ('accepted' in result) {
          expect(identifiersOf(der)).toEqual(result.accepted.ips);
          expect(Buffer.from(result.accepted.spki).equals(Buffer.from(base.key.spki))).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });
});

// ---------------------------------------------------------------- identifiers as text

/** Canonical dotted quad by an independent definition: 4 decimal parts, no leading zeros, each ≤ 255. */
const isCanonical = (text: string): boolean => {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((part) => /^(0|[1-9][0-9]{0,2})$/.test(part) && Number(part) <= 255);
};

const nearIp = fc
  .array(
    fc.oneof(
      fc.nat(300).map(String),
      fc.constantFrom('0', '00', '01', '010', '0x1', '', ' 1', '1 ', '-1', '+1', '1e2', '０', '١', '255', '256'),
      fc.string({ maxLength: 3 }),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => parts.join('.'));

describe('property: checkIpIdentifiers on arbitrary text', () => {
  it('never throws anything but a CaError and accepts only canonical, allowed, distinct IPs', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(nearIp, fc.string({ unit: 'binary', maxLength: 20 }), ipv4), { maxLength: 5 }), (texts) => {
        let accepted: string[] | undefined;
        try {
          accepted = checkIpIdentifiers(texts, Ipv4RangeSet.defaults, 4);
        } catch (error) {
          expect(error).toBeInstanceOf(CaError);
        }
        const expectAccept =
          texts.length >= 1 && texts.length <= 4 && new Set(texts).size === texts.length && texts.every((text) => isCanonical(text) && isPrivate(text));
        expect(accepted).toEqual(expectAccept ? texts : undefined);
        for (const text of accepted ?? []) expect(formatIpv4(parseIpv4(text))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});
