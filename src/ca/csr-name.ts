import { decodeUtf8, latin1 } from './der-primitives.js';
import type { DerElement, DerReader } from './der-reader.js';
import { TAG } from './der-tags.js';
import { CaError } from './errors.js';
import { OID } from './oids.js';

/** The parts of a subject Name the policy looks at. Nothing of it is ever copied to a certificate. */
export interface CsrSubject {
  readonly commonNames: readonly string[];
  readonly attributeCount: number;
}

/** Reads `Name ::= SEQUENCE OF SET SIZE (1..MAX) OF AttributeTypeAndValue` from `reader`. */
export function readSubject(reader: DerReader): CsrSubject {
  const name = reader.enter(TAG.SEQUENCE, 'subject');
  const commonNames: string[] = [];
  let attributeCount = 0;
  while (!name.atEnd()) {
    const rdn = name.enter(TAG.SET, 'subject RDN');
    if (rdn.atEnd()) rdn.fail('the subject has an empty RDN');
    while (!rdn.atEnd()) {
      const attribute = rdn.enter(TAG.SEQUENCE, 'subject attribute');
      const type = attribute.oid('subject attribute type');
      const value = attribute.next();
      attribute.finish('subject attribute');
      attributeCount += 1;
      if (type === OID.commonName) commonNames.push(decodeDirectoryString(attribute, value));
    }
  }
  return { commonNames, attributeCount };
}

function decodeDirectoryString(reader: DerReader, element: DerElement): string {
  const tag = element.tag;
  const content = reader.contents(element, tag, 'commonName');
  switch (tag) {
    case TAG.UTF8_STRING:
      return decodeUtf8(content);
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.T61_STRING:
    case TAG.VISIBLE_STRING:
      return latin1(content);
    case TAG.BMP_STRING:
      return decodeUtf16be(content);
    default:
      throw new CaError('subject_unsupported', `the subject CN is encoded with ASN.1 tag 0x${tag.toString(16)}, not a string type`);
  }
}

function decodeUtf16be(content: Uint8Array): string {
  let text = '';
  for (let i = 0; i + 1 < content.length; i += 2) text += String.fromCharCode((content[i]! << 8) | content[i + 1]!);
  return text;
}
