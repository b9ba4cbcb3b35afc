import { createHash } from 'node:crypto';
import { isCanonicalIpv4, LEAF_MAX_VALIDITY_MS, type CertificateType, type ExtendedKeyUsage, type Ipv4, type KeyAlgorithm } from '../../ca/index.js';
import {
  API_GROUP,
  CERTIFICATE_REQUEST_DEFAULTS,
  CERTIFICATE_TYPES,
  ISSUER_KINDS,
  PRIVATE_KEY_SIZES,
  ROTATION_POLICIES,
  type IssuerKind,
  type RotationPolicy,
  type SecretCertificateRequestSpec,
} from '../../custom-resources/crd-types.js';
import { parseGoDuration } from '../../shared/duration.js';
import { planUsages } from '../requested-usages.js';

/** What a valid `ipAddresses` spec asks for, normalised. */
export interface DesiredCertificate {
  readonly type: CertificateType;
  /** Canonical, unique, sorted. */
  readonly ips: readonly Ipv4[];
  readonly secretName: string;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly rotationPolicy: RotationPolicy;
  readonly durationMs: number;
  readonly renewBeforeMs: number | undefined;
  readonly secretLabels: Readonly<Record<string, string>>;
  readonly secretAnnotations: Readonly<Record<string, string>>;
  readonly issuerRef: { readonly kind: IssuerKind; readonly name: string } | undefined;
  /** From spec.usages: serverAuth unless client auth is asked for. */
  readonly extendedKeyUsages: readonly ExtendedKeyUsage[];
  /** Hash of what the certificate depends on; a change means re-issue. */
  readonly specHash: string;
}

export type SpecCheck = { readonly ok: true; readonly desired: DesiredCertificate } | { readonly ok: false; readonly message: string };

const SECRET_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_IPS = 100;

/**
 * Checks the spec the API server may not have (older CRD, no CEL) and normalises it. The IP
 * *policy* (private ranges) is the issuance service's; here only the shape is checked.
 */
export function checkCertificateSpec(spec: SecretCertificateRequestSpec): SpecCheck {
  try {
    return { ok: true, desired: desiredFrom(spec) };
  } catch (error) {
    if (error instanceof SpecError) return { ok: false, message: error.message };
    throw error;
  }
}

class SpecError extends Error {}

function desiredFrom(spec: SecretCertificateRequestSpec): DesiredCertificate {
  const type = checkType(spec.type);
  const ips = checkIps(spec.ipAddresses);
  const secretName = checkSecretName(spec.secretName);
  const { keyAlgorithm, rotationPolicy } = checkPrivateKey(spec.privateKey);
  const { durationMs, renewBeforeMs } = checkLifetime(spec);
  const issuerRef = checkIssuerRef(spec.issuerRef);
  const extendedKeyUsages = checkUsages(spec.usages);
  // The default usage stays out of the hash, so certificates issued before usages existed still fit.
  const usages = extendedKeyUsages.join() === 'serverAuth' ? {} : { usages: extendedKeyUsages };
  const hashed = { type, ips, keyAlgorithm, durationMs, issuer: issuerRef ? `${issuerRef.kind}/${issuerRef.name}` : '', ...usages };
  return {
    type,
    ips,
    secretName,
    keyAlgorithm,
    rotationPolicy,
    durationMs,
    renewBeforeMs,
    secretLabels: { ...(spec.secretTemplate?.labels ?? {}) },
    secretAnnotations: { ...(spec.secretTemplate?.annotations ?? {}) },
    issuerRef,
    extendedKeyUsages,
    specHash: createHash('sha256').update(JSON.stringify(hashed)).digest('hex').slice(0, 32),
  };
}

function checkType(type: string | undefined): CertificateType {
  const value = type ?? CERTIFICATE_REQUEST_DEFAULTS.type;
  if (!(CERTIFICATE_TYPES as readonly string[]).includes(value)) fail(`spec.type "${value}" must be one of ${CERTIFICATE_TYPES.join(', ')}`);
  return value as CertificateType;
}

function checkSecretName(name: unknown): string {
  if (typeof name !== 'string' || name.length > 253 || !SECRET_NAME.test(name)) fail(`spec.secretName "${shown(name ?? '')}" is not a valid Secret name`);
  return name;
}

function checkLifetime(spec: SecretCertificateRequestSpec): { durationMs: number; renewBeforeMs: number | undefined } {
  const durationText = spec.duration ?? CERTIFICATE_REQUEST_DEFAULTS.duration;
  const durationMs = checkDuration(durationText, 'spec.duration');
  if (durationMs > LEAF_MAX_VALIDITY_MS) fail(`spec.duration "${durationText}" is longer than 8760h (365 days)`);
  if (spec.renewBefore === undefined) return { durationMs, renewBeforeMs: undefined };
  const renewBeforeMs = checkDuration(spec.renewBefore, 'spec.renewBefore');
  if (renewBeforeMs >= durationMs) fail(`spec.renewBefore "${spec.renewBefore}" must be shorter than spec.duration "${durationText}"`);
  return { durationMs, renewBeforeMs };
}

function fail(message: string): never {
  throw new SpecError(message);
}

function checkIps(ips: unknown): Ipv4[] {
  if (!Array.isArray(ips) || ips.length === 0) fail('spec.ipAddresses must list at least one IPv4 address');
  if (ips.length > MAX_IPS) fail(`spec.ipAddresses lists ${ips.length} addresses; at most ${MAX_IPS}`);
  for (const ip of ips) {
    if (typeof ip !== 'string' || !isCanonicalIpv4(ip)) fail(`spec.ipAddresses: "${String(ip)}" is not an IPv4 address in dotted-quad form`);
  }
  return [...new Set(ips as string[])].sort(compareIps);
}

export function compareIps(a: string, b: string): number {
  const value = (ip: string) => ip.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  return value(a) - value(b);
}

function checkPrivateKey(key: SecretCertificateRequestSpec['privateKey']): { keyAlgorithm: KeyAlgorithm; rotationPolicy: RotationPolicy } {
  const algorithm = key?.algorithm ?? CERTIFICATE_REQUEST_DEFAULTS.privateKey.algorithm;
  if (algorithm !== 'ECDSA' && algorithm !== 'RSA') fail(`spec.privateKey.algorithm "${String(algorithm)}" must be ECDSA or RSA`);
  const size = key?.size ?? CERTIFICATE_REQUEST_DEFAULTS.privateKey.sizes[algorithm];
  if (!(PRIVATE_KEY_SIZES[algorithm] as readonly number[]).includes(size)) {
    fail(`spec.privateKey.size ${size} is not valid for ${algorithm} (allowed: ${PRIVATE_KEY_SIZES[algorithm].join(', ')})`);
  }
  const rotationPolicy = key?.rotationPolicy ?? CERTIFICATE_REQUEST_DEFAULTS.privateKey.rotationPolicy;
  if (!(ROTATION_POLICIES as readonly string[]).includes(rotationPolicy)) fail(`spec.privateKey.rotationPolicy "${rotationPolicy}" must be Always or Never`);
  const keyAlgorithm = (algorithm === 'ECDSA' ? `ecdsa-p${size}` : `rsa-${size}`) as KeyAlgorithm;
  return { keyAlgorithm, rotationPolicy };
}

function checkDuration(text: string, field: string): number {
  const ms = typeof text === 'string' && /^([0-9]+(\.[0-9]+)?(h|m|s))+$/.test(text) ? parseGoDuration(text) : undefined;
  if (ms === undefined || ms <= 0) fail(`${field} "${String(text)}" is not a positive duration such as 8760h or 90m`);
  return ms;
}

function checkUsages(usages: unknown): readonly ExtendedKeyUsage[] {
  if (usages !== undefined && (!Array.isArray(usages) || !usages.every((usage) => typeof usage === 'string'))) fail('spec.usages must be a list of usage names');
  const plan = planUsages(usages);
  if (!plan.ok) fail(plan.message);
  return plan.extendedKeyUsages;
}

function checkIssuerRef(ref: SecretCertificateRequestSpec['issuerRef']): DesiredCertificate['issuerRef'] {
  if (!ref) return undefined;
  const kind = ref.kind ?? CERTIFICATE_REQUEST_DEFAULTS.issuerRef.kind;
  if (!(ISSUER_KINDS as readonly string[]).includes(kind)) fail(`spec.issuerRef.kind "${kind}" must be IPIssuer or IPClusterIssuer`);
  if (ref.group !== undefined && ref.group !== CERTIFICATE_REQUEST_DEFAULTS.issuerRef.group) fail(`spec.issuerRef.group "${String(ref.group)}" must be ${API_GROUP}`);
  if (typeof ref.name !== 'string' || ref.name === '') fail('spec.issuerRef.name is required');
  return { kind, name: ref.name };
}

/** A value from a spec for a message: strings as they are, anything else as JSON. */
function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
