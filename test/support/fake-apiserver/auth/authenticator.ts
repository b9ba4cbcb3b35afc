import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError, unauthorized } from '../core/api-errors.js';
import { forbiddenMessage } from './request-attributes.js';
import type { RbacAuthorizer } from './rbac-authorizer.js';
import { ADMIN_USER, serviceAccountOf, serviceAccountUser } from './user-info.js';
import type { UserInfo } from './user-info.js';

/**
 * Bearer tokens the double issues: the kubeconfig's admin token (system:masters) and ServiceAccount
 * tokens (minted by TokenRequest or by tests), plus kube-apiserver's impersonation headers.
 */
export class Authenticator {
  private readonly tokens = new Map<string, UserInfo>();

  constructor(adminToken: string) {
    this.tokens.set(adminToken, ADMIN_USER);
  }

  mintServiceAccountToken(namespace: string, name: string): string {
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, serviceAccountUser(namespace, name));
    return token;
  }

  userOf(token: string): UserInfo | undefined {
    return this.tokens.get(token);
  }

  authenticate(headers: IncomingHttpHeaders): UserInfo {
    const match = /^Bearer (.+)$/.exec(headers.authorization ?? '');
    const user = match === null ? undefined : this.tokens.get(match[1]!);
    if (user === undefined) throw unauthorized();
    return user;
  }

  /** Applies Impersonate-User / Impersonate-Group when the caller may impersonate them. */
  impersonate(user: UserInfo, headers: IncomingHttpHeaders, authorizer: RbacAuthorizer): UserInfo {
    const target = headers['impersonate-user'];
    const groupsHeader = headers['impersonate-group'];
    const groups = groupsHeader === undefined ? [] : Array.isArray(groupsHeader) ? groupsHeader : [groupsHeader];
    if (typeof target !== 'string' || target === '') {
      if (groups.length > 0) throw new ApiError(500, 'InternalError', 'Internal error occurred: requested [Impersonate-Group] without impersonating a user');
      return user;
    }
    const serviceAccount = serviceAccountOf(target);
    const asked = serviceAccount === undefined
      ? { kind: 'resource' as const, verb: 'impersonate', group: '', resource: 'users', subresource: '', namespace: '', name: target }
      : { kind: 'resource' as const, verb: 'impersonate', group: '', resource: 'serviceaccounts', subresource: '', namespace: serviceAccount.namespace, name: serviceAccount.name };
    this.require(user, asked, authorizer);
    for (const group of groups) this.require(user, { kind: 'resource', verb: 'impersonate', group: '', resource: 'groups', subresource: '', namespace: '', name: group }, authorizer);
    const base = serviceAccount === undefined ? [] : serviceAccountUser(serviceAccount.namespace, serviceAccount.name).groups;
    return { username: target, groups: [...new Set([...groups, ...base, 'system:authenticated'])] };
  }

  private require(user: UserInfo, asked: Parameters<RbacAuthorizer['authorize']>[1], authorizer: RbacAuthorizer): void {
    if (asked.kind !== 'resource' || authorizer.authorize(user, asked).allowed) return;
    const qualified = asked.resource;
    throw new ApiError(403, 'Forbidden', `${qualified} ${JSON.stringify(asked.name)} is forbidden: ${forbiddenMessage(user.username, asked)}`, { name: asked.name, group: '', kind: asked.resource });
  }
}
