import { getPath, isJsonObject } from '../core/json-value.js';
import type { JsonObject } from '../core/json-value.js';

/**
 * The double has one all-powerful user (the kubeconfig's token): every access review is allowed,
 * every rules review grants everything, and SelfSubjectReview names that admin.
 */
export const ADMIN_USER = { username: 'fake-admin', groups: ['system:masters', 'system:authenticated'] };

function answered(obj: JsonObject, status: JsonObject): JsonObject {
  const metadata = isJsonObject(obj['metadata']) ? obj['metadata'] : {};
  return { ...obj, metadata: { ...metadata, creationTimestamp: null }, status };
}

export function accessReview(obj: JsonObject): JsonObject {
  return answered(obj, { allowed: true, reason: 'the fake API server allows every request of its admin token' });
}

export function rulesReview(obj: JsonObject): JsonObject {
  return answered(obj, {
    resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
    nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
    incomplete: false,
  });
}

export function selfSubjectReview(obj: JsonObject): JsonObject {
  return answered(obj, { userInfo: ADMIN_USER });
}

export function tokenReview(token: string): (obj: JsonObject) => JsonObject {
  return (obj) => {
    const ok = getPath(obj, ['spec', 'token']) === token;
    return answered(obj, ok ? { authenticated: true, user: ADMIN_USER } : { authenticated: false, error: 'invalid bearer token' });
  };
}
