import { DerReader } from './der-reader.js';
import type { DerContext, DerElement } from './der-reader.js';
import { TAG } from './der-tags.js';
import { CaError, isCaError } from './errors.js';
import { checkExtensionValue, decodeBasicConstraints, decodeKeyUsage, extensionValueReader, readExtensionEnvelopes, type Extension } from './extension-reader.js';
import { OID } from './oids.js';
import type { IgnoredExtension } from './types.js';

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
  readonly ignored: readonly IgnoredExtension[];
}

export const NO_EXTENSIONS: RequestedExtensions = { subjectAltNames: undefined, caRequested: false, oids: [], ignored: [] };

/** Ignored even when marked critical: the profile sets its own keyUsage and extKeyUsage. */
const PROFILE_OWNED = new Set<string>([OID.keyUsage, OID.extKeyUsage]);

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

/**
 * Parses the single value of an extensionRequest attribute: `Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension`.
 * Every entry must be a well-formed envelope. The values the certificate is made from
 * (subjectAltName, basicConstraints) must be well-formed too; a malformed value of any other
 * extension the profile ignores (keyUsage, extKeyUsage, a non-critical one) is reported, not refused.
 */
export function parseExtensionRequest(bytes: Uint8Array, value: DerElement): RequestedExtensions {
  const reader = new DerReader(bytes, CONTEXT, value.start, value.end);
  const list = reader.enter(TAG.SEQUENCE, 'Extensions');
  reader.finish('extensionRequest value');
  const found = readExtensionEnvelopes(list);
  const san = usedValue(found, OID.subjectAltName);
  const basicConstraints = usedValue(found, OID.basicConstraints);
  return {
    subjectAltNames: san === undefined ? undefined : parseGeneralNames(san),
    caRequested: basicConstraints === undefined ? false : decodeBasicConstraints(basicConstraints, CONTEXT.reason).ca,
    oids: [...found.keys()],
    ignored: checkIgnoredExtensions(found),
  };
}

function usedValue(found: ReadonlyMap<string, Extension>, oid: string): Uint8Array | undefined {
  const extension = found.get(oid);
  if (extension !== undefined) checkExtensionValue(extension.value, oid, CONTEXT.reason);
  return extension?.value;
}

function checkIgnoredExtensions(found: ReadonlyMap<string, Extension>): IgnoredExtension[] {
  const ignored: IgnoredExtension[] = [];
  for (const [oid, extension] of found) {
    if (oid === OID.subjectAltName || oid === OID.basicConstraints) continue;
    const problem = valueProblem(oid, extension.value);
    if (problem === undefined) continue;
    if (extension.critical && !PROFILE_OWNED.has(oid)) {
      throw new CaError(CONTEXT.reason, `${problem} (a critical extension: refused rather than ignored)`, oid);
    }
    ignored.push({ oid, problem });
  }
  return ignored;
}

/** Why the value is malformed, or undefined when it is well-formed. */
function valueProblem(oid: string, value: Uint8Array): string | undefined {
  try {
    checkExtensionValue(value, oid, CONTEXT.reason);
    if (oid === OID.keyUsage) decodeKeyUsage(value, CONTEXT.reason);
    if (oid === OID.extKeyUsage) checkExtKeyUsage(value);
    return undefined;
  } catch (error) {
    if (!isCaError(error)) throw error;
    return error.message;
  }
}

function checkExtKeyUsage(value: Uint8Array): void {
  const reader = extensionValueReader(value, OID.extKeyUsage, CONTEXT.reason);
  const purposes = reader.enter(TAG.SEQUENCE, 'extKeyUsage');
  reader.finish('extKeyUsage');
  if (purposes.atEnd()) purposes.fail('extKeyUsage lists no purpose');
  while (!purposes.atEnd()) purposes.oid('key purpose');
}

/** One line naming what was ignored, for logs and the audit record. */
export function describeIgnoredExtensions(ignored: readonly IgnoredExtension[]): string {
  return `ignored malformed requested extension(s), never copied: ${ignored.map((entry) => entry.problem).join('; ')}`;
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
