import { stringify } from 'yaml';

export interface KubeconfigParams {
  readonly server: string;
  readonly caPem: string;
  readonly token: string;
  readonly namespace: string;
  readonly contextName: string;
}

/** A kubeconfig for kubectl, helm and client-node: CA data inline, bearer token user. */
export function renderKubeconfig(params: KubeconfigParams): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: params.contextName, cluster: { server: params.server, 'certificate-authority-data': Buffer.from(params.caPem).toString('base64') } }],
    users: [{ name: `${params.contextName}-admin`, user: { token: params.token } }],
    contexts: [{ name: params.contextName, context: { cluster: params.contextName, user: `${params.contextName}-admin`, namespace: params.namespace } }],
    'current-context': params.contextName,
    preferences: {},
  });
}
