import { PATCH, type KubeApi } from './kube-api.js';
import { isNotFound } from './kube-errors.js';
import type { KubeList, KubeObject } from './kube-object.js';
import { apiVersionOf, resourcePath, type ResourceType } from './resource-types.js';

export interface ListOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
}

/** Typed CRUD for one resource type; every call goes through the KubeApi. */
export class ResourceClient<T extends KubeObject> {
  constructor(
    private readonly api: KubeApi,
    readonly type: ResourceType,
  ) {}

  get apiVersion(): string {
    return apiVersionOf(this.type);
  }

  /** The object, or undefined when it does not exist. */
  async get(namespace: string | undefined, name: string): Promise<T | undefined> {
    try {
      return await this.api.request<T>({ method: 'GET', path: this.path(namespace, name) });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  list(namespace: string | undefined, options: ListOptions = {}): Promise<KubeList<T>> {
    return this.api.request<KubeList<T>>({ method: 'GET', path: this.path(namespace), query: { ...options } });
  }

  /** Every page of a list. */
  async listAll(namespace: string | undefined, options: Omit<ListOptions, 'continue'> = {}): Promise<{ items: T[]; resourceVersion: string }> {
    const items: T[] = [];
    let token: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.list(namespace, { ...options, ...(token ? { continue: token } : {}) });
      items.push(...page.items);
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      token = page.metadata?.continue || undefined;
    } while (token);
    return { items, resourceVersion };
  }

  create(obj: T): Promise<T> {
    return this.api.request<T>({ method: 'POST', path: this.path(obj.metadata?.namespace), body: this.withType(obj) });
  }

  /** PUT with the object's resourceVersion: 409 when it is stale. */
  replace(obj: T): Promise<T> {
    return this.api.request<T>({ method: 'PUT', path: this.path(obj.metadata?.namespace, obj.metadata?.name ?? ''), body: this.withType(obj) });
  }

  /**
   * A JSON merge patch (RFC 7386), on the object or a subresource. Put `metadata.resourceVersion`
   * in the patch to make it conditional (409 when stale).
   */
  mergePatch(namespace: string | undefined, name: string, patch: unknown, subresource?: 'status'): Promise<T> {
    return this.api.request<T>({ method: 'PATCH', path: this.path(namespace, name, subresource), body: patch, contentType: PATCH.merge });
  }

  async delete(namespace: string | undefined, name: string, preconditions?: { uid?: string; resourceVersion?: string }): Promise<boolean> {
    try {
      await this.api.request({
        method: 'DELETE',
        path: this.path(namespace, name),
        ...(preconditions ? { body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions } } : {}),
      });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  path(namespace: string | undefined, name?: string, subresource?: string): string {
    return resourcePath(this.type, namespace, name, subresource);
  }

  private withType(obj: T): T {
    return { ...obj, apiVersion: this.apiVersion, kind: this.type.kind };
  }
}
