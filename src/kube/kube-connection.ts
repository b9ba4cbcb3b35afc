import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type RequestOptions } from 'node:https';

export interface KubeConnectionOptions {
  /** A kubeconfig file; absent: the in-cluster service account (KUBERNETES_SERVICE_HOST, token, CA). */
  readonly kubeconfigPath?: string;
  /** Sockets kept open to the API server. Default 32. */
  readonly maxSockets?: number;
}

/** Where the API server is, how to reach it, and who we are to it. */
export interface KubeConnection {
  readonly server: URL;
  readonly agent: HttpAgent;
  /** Namespace of the kubeconfig's current context (or the service account's), if any. */
  readonly namespace: string | undefined;
  /** Authorization headers; refreshed periodically so rotated service-account tokens are picked up. */
  headers(): Promise<Record<string, string>>;
  close(): void;
}

const HEADER_REFRESH_MS = 60_000;

/**
 * Loads credentials with client-node's KubeConfig (kubeconfig file or in-cluster), then keeps one
 * keep-alive agent: KubeConfig's own request helpers build a new agent per call. client-node is
 * imported here, on first connection, so a process that never talks to Kubernetes never loads it
 * (docs/adr/0001-own-kubernetes-client.md has the cost).
 */
export async function connectKube(options: KubeConnectionOptions = {}): Promise<KubeConnection> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  if (options.kubeconfigPath) config.loadFromFile(options.kubeconfigPath);
  else config.loadFromCluster();
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error(options.kubeconfigPath ? `kubeconfig ${options.kubeconfigPath} has no current cluster` : 'no in-cluster configuration');
  const server = new URL(cluster.server);
  const probe: RequestOptions = {};
  await config.applyToHTTPSOptions(probe);
  const agent = agentFor(server, probe, options.maxSockets ?? 32);
  let cached = { at: Date.now(), headers: headersOf(probe) };
  return {
    server,
    agent,
    namespace: config.getContextObject(config.getCurrentContext())?.namespace ?? undefined,
    async headers() {
      if (Date.now() - cached.at > HEADER_REFRESH_MS) {
        const fresh: RequestOptions = {};
        await config.applyToHTTPSOptions(fresh);
        cached = { at: Date.now(), headers: headersOf(fresh) };
      }
      return cached.headers;
    },
    close: () => agent.destroy(),
  };
}

/** One keep-alive agent carrying the TLS settings KubeConfig worked out. */
function agentFor(server: URL, probe: RequestOptions, maxSockets: number): HttpAgent {
  if (server.protocol === 'http:') return new HttpAgent({ keepAlive: true, maxSockets });
  const tls: Record<string, unknown> = {};
  for (const name of ['ca', 'cert', 'key', 'rejectUnauthorized', 'servername'] as const) if (probe[name] !== undefined) tls[name] = probe[name];
  return new HttpsAgent({ keepAlive: true, maxSockets, ...tls });
}

function headersOf(options: RequestOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (typeof value === 'string' || typeof value === 'number') headers[name] = String(value);
  }
  if (options.auth) headers['Authorization'] = `Basic ${Buffer.from(options.auth).toString('base64')}`;
  return headers;
}
