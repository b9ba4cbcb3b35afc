import { generateKeyPairSync, sign } from 'node:crypto';
import { bitString, implicitConstructed, integerFromNumber, oid, sequence, set } from './der.js';
import { encodeName, extendedKeyUsageValue, extension, ipSubjectAltNameValue, KEY_USAGE_BIT, keyUsageValue } from './extensions.js';
import { ipv4ToOctets, parseIpv4 } from './ipv4.js';
import { OID } from './oids.js';
import { encodePem } from './pem.js';
import type { Ipv4 } from './types.js';

const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';

/**
 * What the SMSGate CLI sends: a fresh ECDSA P-256 key and a PKCS#10 request with CN = IP, a SAN
 * iPAddress, keyUsage digitalSignature and extendedKeyUsage serverAuth (well-formed DER, unlike the
 * Go CLI's), signed with SHA-256. The key is SEC1 PEM ("EC PRIVATE KEY"), as the Go CLI writes it.
 */
export function buildClientCsr(ip: Ipv4): { readonly csrPem: string; readonly privateKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const extensions = sequence(
    extension(OID.keyUsage, true, keyUsageValue([KEY_USAGE_BIT.digitalSignature])),
    extension(OID.extKeyUsage, false, extendedKeyUsageValue([OID.serverAuth])),
    extension(OID.subjectAltName, false, ipSubjectAltNameValue([ipv4ToOctets(parseIpv4(ip))])),
  );
  const requestInfo = sequence(
    integerFromNumber(0),
    encodeName([{ type: OID.commonName, value: ip }]),
    new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
    implicitConstructed(0, sequence(oid(EXTENSION_REQUEST), set(extensions))),
  );
  const signature = sign('sha256', requestInfo, privateKey);
  const der = sequence(requestInfo, sequence(oid(OID.ecdsaWithSha256)), bitString(signature));
  return { csrPem: encodePem('CERTIFICATE REQUEST', der), privateKeyPem: privateKey.export({ type: 'sec1', format: 'pem' }).toString() };
}
