/** An authenticated identity, as kube-apiserver's user.Info. */
export interface UserInfo {
  readonly username: string;
  readonly groups: readonly string[];
}

export const ADMIN_USER: UserInfo = { username: 'fake-admin', groups: ['system:masters', 'system:authenticated'] };

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

/** The user a ServiceAccount token authenticates as. */
export function serviceAccountUser(namespace: string, name: string): UserInfo {
  return {
    username: `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  };
}

/** `system:serviceaccount:NS:NAME` → its namespace and name. */
export function serviceAccountOf(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_PREFIX)) return undefined;
  const [namespace, name, ...rest] = username.slice(SERVICE_ACCOUNT_PREFIX.length).split(':');
  return namespace && name && rest.length === 0 ? { namespace, name } : undefined;
}
