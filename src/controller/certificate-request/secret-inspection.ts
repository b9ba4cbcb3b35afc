import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { Ipv4, KeyAlgorithm } from '../../ca/index.js';
import { secretValue, TLS_SECRET_TYPE, type Secret } from '../../kube/core-types.js';
import type { CertificateRequest } from '../../custom-resources/crd-types.js';
import { ANNOTATIONS } from '../../custom-resources/labels.js';
import { compareIps } from './certificate-spec.js';
import { claimOf, type ClaimContext } from './secret-claim.js';

/** The certificate a valid Secret holds. */
export interface SecretCertificate {
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly ips: readonly Ipv4[];
  readonly specHash: string;
  readonly revision: number;
  readonly keyPem: string;
  readonly keyAlgorithm: KeyAlgorithm | undefined;
}

export type SecretInspection =
  | { readonly kind: 'absent' }
  /** Exists but is not ours and may not be adopted: never overwritten. */
  | { readonly kind: 'foreign'; readonly message: string }
  /** Ours but deleted in part, tampered with, or from another CA, or adoptable: re-issued (its key may be reused). */
  | { readonly kind: 'invalid'; readonly message: string; readonly keyPem?: string; readonly keyAlgorithm?: KeyAlgorithm; readonly revision: number; readonly adoptedFrom?: string }
  | { readonly kind: 'valid'; readonly certificate: SecretCertificate };

/** One intermediate a Secret's chain may end in. */
export interface ExpectedSigner {
  readonly signerPublicKey: KeyObject;
  readonly chainPem: string;
}

/** The CA a Secret's chain must match: its signing intermediate, or a former one of the same root. */
export interface ExpectedCa extends ExpectedSigner {
  readonly rootPem: string;
  /** Earlier intermediates (a rollover): a leaf they signed stays valid until its renewal. */
  readonly former?: readonly ExpectedSigner[];
}

/**
 * What a Secret holds for this request. `context` decides whose the Secret is (see claimOf): a
 * foreign one is never overwritten; an adoptable one is re-issued into (its key kept when the
 * rotation policy allows), as is ours when its content is wrong.
 */
export function inspectSecret(secret: Secret | undefined, cr: CertificateRequest, ca: ExpectedCa, context: ClaimContext): SecretInspection {
  if (!secret) return { kind: 'absent' };
  const claim = claimOf(secret, cr, context);
  if (claim.kind === 'foreign') return claim;
  const key = readKey(secret);
  if (claim.kind === 'adoptable') return { kind: 'invalid', message: `adopting Secret ${secret.metadata.name ?? ''} from ${claim.from}`, adoptedFrom: claim.from, revision: 0, ...key };
  const annotations = secret.metadata.annotations ?? {};
  const revision = Number(annotations[ANNOTATIONS.revision] ?? '0') || 0;
  const parsed = key.keyPem ? parseKey(key.keyPem) : undefined;
  const checked = checkContent(secret, ca, parsed, annotations[ANNOTATIONS.serialNumber] ?? '');
  if (typeof checked === 'string') return { kind: 'invalid', message: checked, revision, ...key };
  return {
    kind: 'valid',
    certificate: {
      serialNumber: normaliseSerial(checked.serialNumber),
      notBefore: new Date(checked.validFrom),
      notAfter: new Date(checked.validTo),
      ips: ipsOf(checked),
      specHash: annotations[ANNOTATIONS.specHash] ?? '',
      revision,
      keyPem: key.keyPem!,
      keyAlgorithm: key.keyAlgorithm,
    },
  };
}

/** tls.key when it parses, with its algorithm (for reuse under rotationPolicy Never). */
function readKey(secret: Secret): { keyPem?: string; keyAlgorithm?: KeyAlgorithm } {
  const keyPem = secretValue(secret, 'tls.key');
  const key = keyPem ? parseKey(keyPem) : undefined;
  return key && keyPem ? { keyPem, ...(key.algorithm ? { keyAlgorithm: key.algorithm } : {}) } : {};
}

/** The leaf when type, chain, root, signature, key and serial all check out; else what is wrong. */
function checkContent(secret: Secret, ca: ExpectedCa, key: { object: KeyObject } | undefined, annotatedSerial: string): X509Certificate | string {
  if (secret.type !== TLS_SECRET_TYPE) return `type is ${secret.type ?? 'Opaque'}, not ${TLS_SECRET_TYPE}`;
  if (!key) return 'tls.key is missing or unreadable';
  const chained = checkChain(secret, ca);
  if (typeof chained === 'string') return chained;
  const leaf = parseCertificate(chained.leafPem);
  if (!leaf) return 'tls.crt does not parse';
  if (!leaf.verify(chained.signer.signerPublicKey)) return 'tls.crt was not signed by the issuing CA';
  if (!leaf.checkPrivateKey(key.object)) return 'tls.key does not belong to tls.crt';
  if (normaliseSerial(annotatedSerial) !== normaliseSerial(leaf.serialNumber)) return 'the serial-number annotation does not match tls.crt';
  return leaf;
}

/** The leaf PEM and the intermediate whose chain follows it, or what is wrong with tls.crt / ca.crt. */
function checkChain(secret: Secret, ca: ExpectedCa): { leafPem: string; signer: ExpectedSigner } | string {
  const chain = secretValue(secret, 'tls.crt');
  if (!chain) return 'tls.crt is missing';
  if (normalise(secretValue(secret, 'ca.crt') ?? '') !== normalise(ca.rootPem)) return 'ca.crt is not the root of the issuing CA';
  const [leafPem, ...rest] = pemBlocks(chain);
  const signer = [ca, ...(ca.former ?? [])].find((candidate) => normalise(rest.join('')) === normalise(candidate.chainPem));
  if (!leafPem || !signer) return 'tls.crt is not a leaf followed by the issuing CA chain';
  return { leafPem, signer };
}

function parseCertificate(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function parseKey(pem: string): { object: KeyObject; algorithm: KeyAlgorithm | undefined } | undefined {
  try {
    const object = createPrivateKey(pem);
    return { object, algorithm: keyAlgorithmOf(object) };
  } catch {
    return undefined;
  }
}

export function keyAlgorithmOf(key: KeyObject): KeyAlgorithm | undefined {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'ec') {
    if (details?.namedCurve === 'prime256v1') return 'ecdsa-p256';
    if (details?.namedCurve === 'secp384r1') return 'ecdsa-p384';
    return undefined;
  }
  if (key.asymmetricKeyType === 'rsa' && [2048, 3072, 4096].includes(details?.modulusLength ?? 0)) return `rsa-${details!.modulusLength}` as KeyAlgorithm;
  return undefined;
}

function ipsOf(leaf: X509Certificate): Ipv4[] {
  return (leaf.subjectAltName ?? '')
    .split(', ')
    .filter((name) => name.startsWith('IP Address:'))
    .map((name) => name.slice('IP Address:'.length))
    .sort(compareIps);
}

export function normaliseSerial(serial: string): string {
  return serial.toLowerCase().replace(/^(00)+(?=.)/, '');
}

export function pemBlocks(bundle: string): string[] {
  return bundle.match(/-----BEGIN [^-]+-----[\s\S]+?-----END [^-]+-----/g)?.map((block) => `${block}\n`) ?? [];
}

function normalise(pem: string): string {
  return pemBlocks(pem).map((block) => block.replace(/\s+/g, '')).join('|');
}
