import { getPath, isJsonObject } from '../core/json-value.js';
import type { JsonObject } from '../core/json-value.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { RbacAuthorizer } from '../auth/rbac-authorizer.js';
import type { RequestAttributes } from '../auth/request-attributes.js';
import type { UserInfo } from '../auth/user-info.js';

/** What a review is answered with: who asks, and the server's authenticator and authorizer. */
export interface ReviewContext {
  readonly user: UserInfo;
  readonly authenticator: Authenticator;
  readonly authorizer: RbacAuthorizer;
}

export type Review = (obj: JsonObject, context: ReviewContext) => JsonObject;

function answered(obj: JsonObject, status: JsonObject): JsonObject {
  const metadata = isJsonObject(obj['metadata']) ? obj['metadata'] : {};
  return { ...obj, metadata: { ...metadata, creationTimestamp: null }, status };
}

function text(obj: JsonObject, ...path: string[]): string {
  const value = getPath(obj, path);
  return typeof value === 'string' ? value : '';
}

function attributesOf(spec: JsonObject): RequestAttributes {
  const resource = spec['resourceAttributes'];
  if (isJsonObject(resource)) {
    return {
      kind: 'resource',
      verb: text(resource, 'verb'),
      group: text(resource, 'group'),
      resource: text(resource, 'resource'),
      subresource: text(resource, 'subresource'),
      namespace: text(resource, 'namespace'),
      name: text(resource, 'name'),
    };
  }
  return { kind: 'nonResource', verb: text(spec, 'nonResourceAttributes', 'verb'), path: text(spec, 'nonResourceAttributes', 'path') };
}

function decide(obj: JsonObject, user: UserInfo, context: ReviewContext): JsonObject {
  const spec = isJsonObject(obj['spec']) ? obj['spec'] : {};
  const decision = context.authorizer.authorize(user, attributesOf(spec));
  if (!decision.allowed) return answered(obj, { allowed: false });
  const reason = decision.by === undefined ? '' : `RBAC: allowed by ${decision.by.source}`;
  return answered(obj, { allowed: true, ...(reason === '' ? {} : { reason }) });
}

export const selfAccessReview: Review = (obj, context) => decide(obj, context.user, context);

/** SubjectAccessReview / LocalSubjectAccessReview: the user and groups named in the spec. */
export const accessReview: Review = (obj, context) => {
  const groups = getPath(obj, ['spec', 'groups']);
  const user = { username: text(obj, 'spec', 'user'), groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [] };
  return decide(obj, user, context);
};

export const rulesReview: Review = (obj, context) => {
  const namespace = text(obj, 'spec', 'namespace');
  if (context.user.groups.includes('system:masters')) {
    return answered(obj, { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false });
  }
  const granted = context.authorizer.rulesFor(context.user, namespace).map((g) => g.rule);
  const resourceRules = granted
    .filter((r) => r.resources.length > 0)
    .map((r) => ({ verbs: [...r.verbs], apiGroups: [...r.apiGroups], resources: [...r.resources], ...(r.resourceNames.length > 0 ? { resourceNames: [...r.resourceNames] } : {}) }));
  const nonResourceRules = granted.filter((r) => r.nonResourceURLs.length > 0).map((r) => ({ verbs: [...r.verbs], nonResourceURLs: [...r.nonResourceURLs] }));
  return answered(obj, { resourceRules, nonResourceRules, incomplete: false });
};

export const selfSubjectReview: Review = (obj, context) => answered(obj, { userInfo: { username: context.user.username, groups: [...context.user.groups] } });

export const tokenReview: Review = (obj, context) => {
  const user = context.authenticator.userOf(text(obj, 'spec', 'token'));
  return answered(obj, user === undefined ? { authenticated: false, error: 'invalid bearer token' } : { authenticated: true, user: { username: user.username, groups: [...user.groups] } });
};
