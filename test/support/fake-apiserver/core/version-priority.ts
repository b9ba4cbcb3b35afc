const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

interface ParsedVersion {
  readonly major: number;
  readonly stability: number;
  readonly minor: number;
}

function parse(version: string): ParsedVersion | undefined {
  const match = KUBE_VERSION.exec(version);
  if (match === null) return undefined;
  const stability = match[2] === undefined ? 2 : match[2] === 'beta' ? 1 : 0;
  return { major: Number(match[1]), stability, minor: Number(match[3] ?? 0) };
}

/**
 * Kubernetes version priority (v1 > v1beta2 > v1beta1 > v1alpha1 > foo): negative when `a` is preferred.
 */
export function compareVersionPriority(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  if (pa === undefined && pb === undefined) return a.localeCompare(b);
  if (pa === undefined) return 1;
  if (pb === undefined) return -1;
  if (pa.stability !== pb.stability) return pb.stability - pa.stability;
  if (pa.major !== pb.major) return pb.major - pa.major;
  return pb.minor - pa.minor;
}
