import { DerReader } from './der-reader.js';
import type { DerContext, DerElement } from './der-reader.js';
import { TAG } from './der-tags.js';
import { decodeBasicConstraints, decodeKeyUsage, extensionValueReader, readExtensions, type Extension } from './extension-reader.js';
import { OID } from './oids.js';

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
  const found = readExtensions(list);
  const san = found.get(OID.subjectAltName)?.value;
  const basicConstraints = found.get(OID.basicConstraints)?.value;
  checkIgnoredExtensions(found);
  return {
    subjectAltNames: san === undefined ? undefined : parseGeneralNames(san),
    caRequested: basicConstraints === undefined ? false : decodeBasicConstraints(basicConstraints, CONTEXT.reason).ca,
    oids: [...found.keys()],
  };
}

/** keyUsage and extKeyUsage are ignored, but a malformed one is still refused. */
function checkIgnoredExtensions(found: ReadonlyMap<string, Extension>): void {
  const keyUsage = found.get(OID.keyUsage);
  if (keyUsage !== undefined) {
    decodeKeyUsage(keyUsage.value, CONTEXT.reason);
  }
  const extKeyUsage = found.get(OID.extKeyUsage);
  if (extKeyUsage !== undefined) {
    const reader = extensionValueReader(extKeyUsage.value, OID.extKeyUsage, CONTEXT.reason);
    const purposes = reader.enter(TAG.SEQUENCE, 'extKeyUsage');
    reader.finish('extKeyUsage');
    if (purposes.atEnd()) purposes.fail('extKeyUsage lists no purpose');
    while (!purposes.atEnd()) purposes.oid('key purpose');
  }
}

export function parseGeneralNames(value: Uint8Array): GeneralName[] {
  const reader = extensionValueReader(value, OID.subjectAltName, CONTEXT.reason);
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
