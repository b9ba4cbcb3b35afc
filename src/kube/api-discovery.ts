import type { KubeApi } from './kube-api.js';
import { isNotFound } from './kube-errors.js';
import type { ResourceType } from './resource-types.js';

interface ApiResourceList {
  readonly resources?: ReadonlyArray<{ readonly name?: string }>;
}

/**
 * Whether the API server serves this resource right now, from discovery (`GET /apis/GROUP/VERSION`,
 * which every authenticated user may read): a 404 means the group version is not installed. Other
 * failures are thrown, so that "not installed" is never confused with "could not ask".
 */
export async function isServed(api: KubeApi, type: ResourceType): Promise<boolean> {
  const path = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  try {
    const list = await api.request<ApiResourceList>({ method: 'GET', path });
    return (list?.resources ?? []).some((resource) => resource.name === type.plural);
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}
