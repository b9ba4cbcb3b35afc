import {
  describePermission,
  describeRequest,
  permissionsOf,
  permissionUsage,
  refusedWithout,
  type FakeApiServer,
  type Permission,
  type RequestAttributes,
  type RequestLogEntry,
  type UserInfo,
} from '../support/fake-apiserver/index.js';

/**
 * What a client did with the RBAC it was given, from the double's request log: the requests it was
 * refused, the permissions it needed (each with a logged request that would have been refused
 * without it), the ones it used that another rule also grants, and the ones it never used.
 */
export interface RbacReport {
  readonly requests: number;
  /** 401 or 403 answers to the client. */
  readonly refused: readonly RequestLogEntry[];
  readonly needed: ReadonlyArray<{ readonly permission: Permission; readonly uses: number; readonly example: RequestAttributes }>;
  readonly overlapping: ReadonlyArray<{ readonly permission: Permission; readonly uses: number }>;
  readonly unused: readonly Permission[];
  readonly text: string;
}

/** kube-apiserver's bootstrap grants to every authenticated user are not the chart's to answer for. */
const isBootstrap = (permission: Permission): boolean => permission.source.startsWith('ClusterRole/system:');

export function refusedRequests(cluster: FakeApiServer, username: string): RequestLogEntry[] {
  return cluster.requests.find((entry) => entry.user === username && (entry.status === 401 || entry.status === 403));
}

/** `reasons`: why a permission the workload did not need is granted anyway, keyed by describePermission(). */
export function rbacReport(cluster: FakeApiServer, user: UserInfo, reasons: Readonly<Record<string, string>> = {}): RbacReport {
  const refused = refusedRequests(cluster, user.username);
  const requests = cluster.requests
    .find((entry) => entry.user === user.username && entry.status !== 401 && entry.status !== 403)
    .flatMap((entry) => (entry.attributes === undefined ? [] : [entry.attributes, ...entry.alsoAuthorized]));
  const permissions = permissionsOf(cluster.rulesAnywhere(user));
  const usage = permissionUsage(permissions, requests).filter((use) => !isBootstrap(use.permission));
  const needed = usage.flatMap(({ permission, requests: uses }) => {
    const [example] = refusedWithout(permission, permissions, requests);
    return example === undefined ? [] : [{ permission, uses, example }];
  });
  const overlapping = usage.filter((use) => use.requests > 0 && !needed.some((need) => need.permission === use.permission)).map(({ permission, requests: uses }) => ({ permission, uses }));
  const unused = usage.filter((use) => use.requests === 0).map((use) => use.permission);
  const why = (permission: Permission): string => {
    const reason = reasons[describePermission(permission)];
    return reason === undefined ? ' — NO REASON GIVEN' : ` — kept: ${reason}`;
  };
  const lines = [
    `RBAC of ${user.username}: ${requests.length} authorizations allowed (requests and their admission checks), ${refused.length} requests refused`,
    ...refused.map((entry) => `  REFUSED ${entry.status} ${entry.method} ${entry.path}`),
    `Needed (${needed.length}) — without it, a logged request is refused:`,
    ...needed.map(({ permission, uses, example }) => `  ${describePermission(permission)} — ${uses} requests, e.g. ${describeRequest(example)}`),
    `Used, but every such request is also allowed by another rule (${overlapping.length}):`,
    ...overlapping.map(({ permission, uses }) => `  ${describePermission(permission)} — ${uses} requests${why(permission)}`),
    `Never used (${unused.length}):`,
    ...unused.map((permission) => `  ${describePermission(permission)}${why(permission)}`),
  ];
  return { requests: requests.length, refused, needed, overlapping, unused, text: `${lines.join('\n')}\n` };
}
