import { isIP } from 'node:net';
import { describeAddressBlock, type Ipv4, type Ipv4RangeSet, isCanonicalIpv4, parseIpv4 } from '../ca/index.js';
import { AcmeProblem, malformed, type AcmeIdentifier, type ProblemType } from './problems.js';

export interface IdentifierPolicy {
  readonly allowedRanges: Ipv4RangeSet;
  readonly maxIdentifiers: number;
}

/**
 * Checks the `identifiers` of a newOrder (RFC 8555 §7.4, RFC 8738 §3) and returns the IPs. Each
 * refused identifier becomes a subproblem naming it; one refusal is returned as itself.
 */
export function checkOrderIdentifiers(value: unknown, policy: IdentifierPolicy): Ipv4[] {
  if (!Array.isArray(value) || value.length === 0) throw malformed('"identifiers" must be a non-empty array');
  if (value.length > policy.maxIdentifiers) {
    throw new AcmeProblem('rejectedIdentifier', `an order may hold at most ${policy.maxIdentifiers} identifiers; this one has ${value.length}`);
  }
  const problems: AcmeProblem[] = [];
  const ips: Ipv4[] = [];
  for (const item of value) {
    const problem = identifierProblem(item, policy.allowedRanges);
    if (problem) problems.push(problem);
    else ips.push((item as AcmeIdentifier).value);
  }
  if (problems.length > 0) throw combine(problems);
  const duplicate = ips.find((ip, index) => ips.indexOf(ip) !== index);
  if (duplicate) throw malformed(`identifier ${duplicate} appears more than once`);
  return ips;
}

function identifierProblem(item: unknown, allowed: Ipv4RangeSet): AcmeProblem | undefined {
  if (typeof item !== 'object' || item === null || typeof (item as Record<string, unknown>)['type'] !== 'string' || typeof (item as Record<string, unknown>)['value'] !== 'string') {
    return malformed('each identifier must be an object with string "type" and "value"');
  }
  const identifier = { type: (item as AcmeIdentifier).type, value: (item as AcmeIdentifier).value.slice(0, 256) };
  if (identifier.type === 'dns') return dnsProblem(identifier);
  if (identifier.type !== 'ip') return about('unsupportedIdentifier', `identifier type "${identifier.type.slice(0, 32)}" is not supported; this server issues for "ip" identifiers only`, identifier);
  return ipProblem(identifier, allowed);
}

function dnsProblem(identifier: AcmeIdentifier): AcmeProblem {
  if (isIP(identifier.value.replace(/^\[|\]$/g, '')) !== 0) {
    return about('rejectedIdentifier', `${identifier.value} is an IP address: use an identifier of type "ip" (RFC 8738), not "dns"`, identifier);
  }
  return about('unsupportedIdentifier', `DNS names such as "${identifier.value}" are not issued here; this CA certifies private IPv4 addresses ("ip" identifiers) only`, identifier);
}

function ipProblem(identifier: AcmeIdentifier, allowed: Ipv4RangeSet): AcmeProblem | undefined {
  const { value } = identifier;
  if (isIP(value) === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(value);
    const hint = mapped ? ` (an IPv4-mapped IPv6 address; request ${mapped[1]} itself)` : '';
    return about('rejectedIdentifier', `${value} is an IPv6 address${hint}; only IPv4 addresses are certified`, identifier);
  }
  if (!isCanonicalIpv4(value)) return about('malformed', `"${value}" is not a canonical IPv4 address (dotted quad, no leading zeros)`, identifier);
  const address = parseIpv4(value);
  if (!allowed.contains(address)) {
    return about('rejectedIdentifier', `${value} is in ${describeAddressBlock(address)}, not in the ranges this CA certifies (${allowed.toString()})`, identifier);
  }
  return undefined;
}

function about(type: ProblemType, detail: string, identifier: AcmeIdentifier): AcmeProblem {
  return new AcmeProblem(type, detail, { identifier });
}

function combine(problems: readonly AcmeProblem[]): AcmeProblem {
  if (problems.length === 1) return problems[0]!;
  const types = new Set(problems.map((problem) => problem.type));
  const type: ProblemType = types.size === 1 ? problems[0]!.type : 'compound';
  return new AcmeProblem(type, `${problems.length} identifiers were refused; see subproblems`, { subproblems: problems });
}

/** RFC 8738 §6: the reverse-mapping name used as SNI in tls-alpn-01, e.g. 10.1.168.192.in-addr.arpa. */
export function reverseDnsName(ip: Ipv4): string {
  return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
}

export function ipIdentifier(ip: Ipv4): AcmeIdentifier {
  return { type: 'ip', value: ip };
}
