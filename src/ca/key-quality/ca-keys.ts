import { X509Certificate } from 'node:crypto';
import type { CaMaterial } from '../ca-material.js';
import { readPemCertificates } from '../pem-bundle.js';
import { ForbiddenKeys, type ForbiddenKey } from './forbidden-keys.js';

/**
 * The keys of a signing CA that no requester may have certified: the root's and every intermediate's
 * on the path (the signer first). Each is labelled with its role and subject, so a refusal says
 * which one was asked for.
 */
export function caKeysOf(material: Pick<CaMaterial, 'chainPem' | 'rootPem'>): ForbiddenKeys {
  const intermediates = material.chainPem ? readPemCertificates(material.chainPem, 'the CA chain') : [];
  return ForbiddenKeys.of([...intermediates.map((der) => labelled('the intermediate CA key', new X509Certificate(der))), labelled('the root CA key', new X509Certificate(material.rootPem))]);
}

function labelled(role: string, certificate: X509Certificate): ForbiddenKey {
  const subject = certificate.subject ? certificate.subject.replace(/\n/g, ', ') : 'empty name';
  return { label: `${role} (${subject})`, key: certificate.publicKey };
}
