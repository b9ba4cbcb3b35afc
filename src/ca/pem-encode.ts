/** PEM text for a DER value (RFC 7468 strict form: 64-character lines, trailing newline). */
export function encodePem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  let body = '';
  for (let i = 0; i < base64.length; i += 64) {
    body += `${base64.slice(i, i + 64)}\n`;
  }
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}

export function encodeCertificatePem(der: Uint8Array): string {
  return encodePem('CERTIFICATE', der);
}
