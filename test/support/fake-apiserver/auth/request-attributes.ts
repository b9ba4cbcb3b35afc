import type { ApiPath } from '../http/request-path.js';

/** authorizer.Attributes: what a request asks to do, as kube-apiserver's RequestInfo resolves it. */
export type RequestAttributes =
  | {
      readonly kind: 'resource';
      readonly verb: string;
      readonly group: string;
      readonly resource: string;
      readonly subresource: string;
      readonly namespace: string;
      readonly name: string;
    }
  | { readonly kind: 'nonResource'; readonly verb: string; readonly path: string };

const METHOD_VERBS: Readonly<Record<string, string>> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete', GET: 'get', HEAD: 'get' };

export function requestAttributes(method: string, pathname: string, path: ApiPath, query: URLSearchParams): RequestAttributes {
  if (path.kind !== 'resource') return { kind: 'nonResource', verb: method === 'GET' || method === 'HEAD' ? 'get' : (METHOD_VERBS[method] ?? method.toLowerCase()), path: pathname };
  let verb = METHOD_VERBS[method] ?? method.toLowerCase();
  const name = path.name ?? '';
  if (verb === 'get' && (path.watchPrefix || query.get('watch') === 'true' || query.get('watch') === '1')) verb = 'watch';
  else if (verb === 'get' && name === '') verb = 'list';
  else if (verb === 'delete' && name === '') verb = 'deletecollection';
  return {
    kind: 'resource',
    verb,
    group: path.group,
    resource: path.resource,
    subresource: path.subresource ?? '',
    namespace: path.namespace ?? '',
    name: verb === 'create' && path.subresource === undefined ? '' : name,
  };
}

/** responsewriters.forbiddenMessage. */
export function forbiddenMessage(username: string, attributes: RequestAttributes): string {
  if (attributes.kind === 'nonResource') return `User ${JSON.stringify(username)} cannot ${attributes.verb} path ${JSON.stringify(attributes.path)}`;
  const resource = attributes.subresource === '' ? attributes.resource : `${attributes.resource}/${attributes.subresource}`;
  const where = attributes.namespace === '' ? 'at the cluster scope' : `in the namespace ${JSON.stringify(attributes.namespace)}`;
  return `User ${JSON.stringify(username)} cannot ${attributes.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attributes.group)} ${where}`;
}
