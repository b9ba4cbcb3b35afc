import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { issueServerCertificate, parseIpv4, type Clock, type Ipv4 } from '../ca/index.js';
import type { ListenAddress } from '../config/listen-address.js';
import type { TlsSetting } from '../config/serve-config.js';
import type { TlsMaterial } from '../http/listen.js';
import type { LoadedCa } from '../keystore/ca-directory.js';
import { readPrivateKeyFile } from '../keystore/key-file.js';
import type { Logger } from '../telemetry/logger.js';

/** What the REST/ACME listener serves TLS with: nothing (plain HTTP), the given files, or a certificate made now. */
export async function tlsFor(tls: TlsSetting, listen: ListenAddress, ca: LoadedCa | undefined, parts: { clock: Clock; logger: Logger }): Promise<{ tls?: TlsMaterial }> {
  switch (tls.mode) {
    case 'insecure-http':
      parts.logger.warn('serving plain HTTP (--insecure-http): put a TLS-terminating proxy in front');
      return {};
    case 'files':
      return { tls: { certificatePem: await readFile(tls.certificateFile, 'utf8'), keyPem: await readPrivateKeyFile(tls.keyFile) } };
    case 'generated':
      if (!ca) throw new Error('there is no CA to make the HTTPS certificate with (see the error above); give --tls-cert/--tls-key, or --insecure-http behind a TLS proxy');
      return { tls: generatedTls(listen, ca, parts) };
  }
}

/**
 * Signed by the root, because the intermediate's name constraints forbid DNS names (and perhaps
 * loopback). Without the root key only the addresses the intermediate may certify are included.
 */
function generatedTls(listen: ListenAddress, ca: LoadedCa, { clock, logger }: { clock: Clock; logger: Logger }): TlsMaterial {
  const ips = serverIps(listen.host);
  const dnsNames = ['localhost', ...(isIP(listen.host) ? [] : [listen.host.toLowerCase()])];
  const certificate = ca.rootKey
    ? issueServerCertificate({ issuerCertificateDer: derOf(ca.rootCertificatePem), issuerKey: ca.rootKey, dnsNames: [...new Set(dnsNames)], ips, clock })
    : issueServerCertificate({
        issuerCertificateDer: ca.material.signerCertificateDer,
        issuerKey: ca.material.signerKey,
        dnsNames: [],
        ips: ips.filter((ip) => ca.material.allowedRanges.contains(parseIpv4(ip))),
        clock,
      });
  if (!ca.rootKey) logger.warn('no root key in the data directory: the server certificate is signed by the intermediate and carries allowed IPs only');
  logger.info({ ips, dnsNames: ca.rootKey ? dnsNames : [], notAfter: certificate.notAfter }, 'generated the HTTPS certificate');
  return { certificatePem: ca.rootKey ? certificate.pem : certificate.pem + ca.material.chainPem, keyPem: certificate.privateKeyPem };
}

/** The listen address, 127.0.0.1, and every local IPv4 address when listening on all interfaces. */
function serverIps(host: string): Ipv4[] {
  const all = host === '0.0.0.0' || host === '::';
  const local = all
    ? Object.values(networkInterfaces())
        .flat()
        .filter((entry) => entry?.family === 'IPv4')
        .map((entry) => entry.address)
    : [];
  return [...new Set(['127.0.0.1', ...(isIP(host) === 4 && !all ? [host] : []), ...local])];
}

function derOf(pem: string): Uint8Array {
  return new Uint8Array(new X509Certificate(pem).raw);
}
