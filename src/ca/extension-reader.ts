import { DerReader } from './der-reader.js';
import { checkStrictDer } from './der-strict.js';
import { TAG } from './der-tags.js';
import type { CaErrorReason } from './errors.js';
import { describeOid, OID } from './oids.js';

/** One entry of an Extensions list, as a CSR's extensionRequest or a certificate carries it. */
export interface Extension {
  readonly critical: boolean;
  /** The bytes inside extnValue: one strictly checked DER value from readExtensions, unchecked from readExtensionEnvelopes. */
  readonly value: Uint8Array;
}

/**
 * Reads `Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension` from inside the SEQUENCE: no
 * duplicates, critical FALSE never encoded (DER omits a DEFAULT), every extnValue one DER value.
 */
export function readExtensions(list: DerReader): Map<string, Extension> {
  const found = readExtensionEnvelopes(list);
  for (const [oid, extension] of found) checkExtensionValue(extension.value, oid, list.context.reason);
  return found;
}

/**
 * The same list, checked only as envelopes (extnID, critical, extnValue OCTET STRING): the caller
 * decides which values must be well-formed with `checkExtensionValue`.
 */
export function readExtensionEnvelopes(list: DerReader): Map<string, Extension> {
  if (list.atEnd()) list.fail('the extension list is empty');
  const found = new Map<string, Extension>();
  while (!list.atEnd()) {
    const [oid, extension] = readEnvelope(list.enter(TAG.SEQUENCE, 'Extension'));
    if (found.has(oid)) list.fail(`extension ${describeOid(oid)} appears more than once`);
    found.set(oid, extension);
  }
  return found;
}

function readEnvelope(entry: DerReader): [string, Extension] {
  const oid = entry.oid('extnID');
  let critical = false;
  if (entry.peekTag() === TAG.BOOLEAN) {
    critical = entry.boolean('critical');
    if (!critical) entry.fail(`extension ${describeOid(oid)} encodes critical=FALSE, which DER requires to be omitted`);
  }
  const element = entry.octetString('extnValue');
  entry.finish(`extension ${describeOid(oid)}`);
  return [oid, { critical, value: entry.bytes.subarray(element.contentStart, element.end) }];
}

/** An extnValue must hold exactly one strictly encoded DER value. */
export function checkExtensionValue(value: Uint8Array, oid: string, reason: CaErrorReason): void {
  const inner = extensionValueReader(value, oid, reason);
  const only = inner.next();
  inner.finish('extension value');
  checkStrictDer(value, inner.context, only.start, only.end);
}

/** A reader over one extension value, whose failures name the extension. */
export function extensionValueReader(value: Uint8Array, oid: string, reason: CaErrorReason): DerReader {
  return new DerReader(value, { reason, what: `extension ${describeOid(oid)}` });
}

export interface BasicConstraints {
  readonly ca: boolean;
  readonly pathLength?: number;
}

/** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }. */
export function decodeBasicConstraints(value: Uint8Array, reason: CaErrorReason): BasicConstraints {
  const reader = extensionValueReader(value, OID.basicConstraints, reason);
  const constraints = reader.enter(TAG.SEQUENCE, 'BasicConstraints');
  reader.finish('basicConstraints');
  let ca = false;
  if (constraints.peekTag() === TAG.BOOLEAN) {
    ca = constraints.boolean('cA');
    if (!ca) constraints.fail('cA=FALSE is encoded explicitly, which DER requires to be omitted');
  }
  const pathLength = constraints.peekTag() === TAG.INTEGER ? constraints.smallInteger('pathLenConstraint') : undefined;
  constraints.finish('BasicConstraints');
  return pathLength === undefined ? { ca } : { ca, pathLength };
}

/** The KeyUsage BIT STRING contents: the unused-bits octet, then the named bits. */
export function decodeKeyUsage(value: Uint8Array, reason: CaErrorReason): Uint8Array {
  const reader = extensionValueReader(value, OID.keyUsage, reason);
  const bits = reader.contents(reader.expect(TAG.BIT_STRING, 'keyUsage'), TAG.BIT_STRING, 'keyUsage');
  reader.finish('keyUsage');
  return bits;
}
