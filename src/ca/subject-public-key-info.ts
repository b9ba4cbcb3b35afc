import { createHash } from 'node:crypto';
import { DerReader, type DerContext } from './der-reader.js';
import { TAG } from './der-tags.js';

/** A SubjectPublicKeyInfo taken apart; `parameters` is left positioned after the algorithm OID. */
export interface SubjectPublicKeyInfo {
  readonly algorithm: string;
  readonly parameters: DerReader;
  /** The subjectPublicKey BIT STRING contents without the unused-bits octet. */
  readonly publicKey: Uint8Array;
}

/** SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }, alone in `spkiDer`. */
export function readSubjectPublicKeyInfo(spkiDer: Uint8Array, context: DerContext): SubjectPublicKeyInfo {
  const spki = new DerReader(spkiDer, context);
  const outer = spki.enter(TAG.SEQUENCE, 'SubjectPublicKeyInfo');
  spki.finish('SubjectPublicKeyInfo');
  const parameters = outer.enter(TAG.SEQUENCE, 'key algorithm');
  const algorithm = parameters.oid('key algorithm');
  const publicKey = outer.octetAlignedBitString('public key');
  outer.finish('SubjectPublicKeyInfo');
  return { algorithm, parameters, publicKey };
}

/** RFC 5280 §4.2.1.2 method 1: the SHA-1 of the subjectPublicKey bits. */
export function keyIdentifierOfPublicKey(publicKey: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(publicKey).digest());
}
