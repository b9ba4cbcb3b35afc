import { describeOid, OID } from './csr-oids.js';
import { checkStrictDer, DerReader, TAG } from './der-strict.js';
import type { DerContext, DerElement } from './der-strict.js';

export type GeneralNameKind =
  | 'otherName'
  | 'rfc822Name'
  | 'dNSName'
  | 'x400Address'
  | 'directoryName'
  | 'ediPartyName'
  | 'uniformResourceIdentifier'
  | 'iPAddress'
  | 'registeredID';

/** One subjectAltName entry: its kind, its contents, and for otherName the type OID. */
export interface GeneralName {
  readonly kind: GeneralNameKind;
  readonly value: Uint8Array;
  readonly typeId?: string;
}

/** What the CSR asks for in its extensionRequest. Only SAN and cA matter; the rest is never copied. */
export interface RequestedExtensions {
  /** Undefined when there is no subjectAltName extension at all. */
  readonly subjectAltNames: readonly GeneralName[] | undefined;
  readonly caRequested: boolean;
  readonly oids: readonly string[];
}

export const NO_EXTENSIONS: RequestedExtensions = { subjectAltNames: undefined, caRequested: false, oids: [] };

const CONTEXT: DerContext = { reason: 'extension_invalid', what: 'requested extensions' };

const GENERAL_NAME_TAGS: Readonly<Record<number, GeneralNameKind>> = {
  0xa0: 'otherName',
  0x81: 'rfc822Name',
  0x82: 'dNSName',
  0xa3: 'x400Address',
  0xa4: 'directoryName',
  0xa5: 'ediPartyName',
  0x86: 'uniformResourceIdentifier',
  0x87: 'iPAddress',
  0x88: 'registeredID',
};

/** Parses the single value of an extensionRequest attribute: `Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension`. */
export function parseExtensionRequest(bytes: Uint8Array, value: DerElement): RequestedExtensions {
  const reader = new DerReader(bytes, CONTEXT, value.start, value.end);
  const list = reader.enter(TAG.SEQUENCE, 'Extensions');
  reader.finish('extensionRequest value');
  if (list.atEnd()) list.fail('the extension list is empty');
  const found = new Map<string, Uint8Array>();
  while (!list.atEnd()) {
    const [oid, extnValue] = readExtension(list.enter(TAG.SEQUENCE, 'Extension'));
    if (found.has(oid)) list.fail(`extension ${describeOid(oid)} appears more than once`);
    found.set(oid, extnValue);
  }
  const san = found.get(OID.subjectAltName);
  const basicConstraints = found.get(OID.basicConstraints);
  checkIgnoredExtensions(found);
  return {
    subjectAltNames: san === undefined ? undefined : parseGeneralNames(san),
    caRequested: basicConstraints === undefined ? false : parseCaFlag(basicConstraints),
    oids: [...found.keys()],
  };
}

function readExtension(extension: DerReader): [string, Uint8Array] {
  const oid = extension.oid('extnID');
  if (extension.peekTag() === TAG.BOOLEAN && !extension.boolean('critical')) {
    extension.fail(`extension ${describeOid(oid)} encodes critical=FALSE, which DER requires to be omitted`);
  }
  const element = extension.octetString('extnValue');
  extension.finish(`extension ${describeOid(oid)}`);
  const value = extension.bytes.subarray(element.contentStart, element.end);
  const inner = new DerReader(value, { reason: 'extension_invalid', what: `extension ${describeOid(oid)}` });
  const only = inner.next();
  inner.finish('extension value');
  checkStrictDer(value, inner.context, only.start, only.end);
  return [oid, value];
}

/** keyUsage and extKeyUsage are ignored, but a malformed one is still refused. */
function checkIgnoredExtensions(found: ReadonlyMap<string, Uint8Array>): void {
  const keyUsage = found.get(OID.keyUsage);
  if (keyUsage !== undefined) {
    const reader = valueReader(keyUsage, OID.keyUsage);
    reader.contents(reader.expect(TAG.BIT_STRING, 'keyUsage'), TAG.BIT_STRING, 'keyUsage');
    reader.finish('keyUsage');
  }
  const extKeyUsage = found.get(OID.extKeyUsage);
  if (extKeyUsage !== undefined) {
    const reader = valueReader(extKeyUsage, OID.extKeyUsage);
    const purposes = reader.enter(TAG.SEQUENCE, 'extKeyUsage');
    reader.finish('extKeyUsage');
    if (purposes.atEnd()) purposes.fail('extKeyUsage lists no purpose');
    while (!purposes.atEnd()) purposes.oid('key purpose');
  }
}

function parseCaFlag(value: Uint8Array): boolean {
  const reader = valueReader(value, OID.basicConstraints);
  const constraints = reader.enter(TAG.SEQUENCE, 'BasicConstraints');
  reader.finish('basicConstraints');
  let ca = false;
  if (constraints.peekTag() === TAG.BOOLEAN) {
    ca = constraints.boolean('cA');
    if (!ca) constraints.fail('cA=FALSE is encoded explicitly, which DER requires to be omitted');
  }
  if (constraints.peekTag() === TAG.INTEGER) constraints.smallInteger('pathLenConstraint');
  constraints.finish('BasicConstraints');
  return ca;
}

function parseGeneralNames(value: Uint8Array): GeneralName[] {
  const reader = valueReader(value, OID.subjectAltName);
  const list = reader.enter(TAG.SEQUENCE, 'GeneralNames');
  reader.finish('subjectAltName');
  if (list.atEnd()) list.fail('the subjectAltName is empty');
  const names: GeneralName[] = [];
  while (!list.atEnd()) names.push(readGeneralName(list));
  return names;
}

function readGeneralName(list: DerReader): GeneralName {
  const element = list.next();
  const kind = GENERAL_NAME_TAGS[element.tag];
  if (kind === undefined) list.fail(`GeneralName with unknown tag 0x${element.tag.toString(16)}`);
  const value = list.bytes.subarray(element.contentStart, element.end);
  if ((kind === 'dNSName' || kind === 'rfc822Name' || kind === 'uniformResourceIdentifier') && !value.every((byte) => byte < 0x80)) {
    list.fail(`${kind} holds non-ASCII bytes`);
  }
  if (kind === 'registeredID') list.contents(element, TAG.OID, 'registeredID');
  if (kind === 'otherName') return { kind, value, typeId: list.child(element).oid('otherName type-id') };
  return { kind, value };
}

function valueReader(value: Uint8Array, oid: string): DerReader {
  return new DerReader(value, { reason: 'extension_invalid', what: `extension ${describeOid(oid)}` });
}
