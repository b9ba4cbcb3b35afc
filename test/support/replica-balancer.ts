import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the balancer forwarded: which backend (by index) answered it, and how. */
export interface RoutedRequest {
  readonly method: string;
  readonly path: string;
  readonly backend: number;
  readonly status: number;
}

/** Picks the backend (an index into `backends`) for a request. */
export type Route = (method: string, path: string) => number;

export interface ReplicaBalancer {
  /** The one URL clients use, as they would use a Service's. */
  readonly url: string;
  /** Backend base URLs (http://host:port); replaced when the replicas restart. */
  backends: string[];
  route: Route;
  readonly log: RoutedRequest[];
  close(): Promise<void>;
}

/**
 * A plain-HTTP reverse proxy on loopback standing in for a Kubernetes Service in front of several
 * `serve` replicas: it forwards each request, Host header untouched (so the ACME URLs the replicas
 * write name the balancer), to the backend `route` picks, and logs who answered what.
 */
export async function startReplicaBalancer(host: string, backends: string[], route: Route): Promise<ReplicaBalancer> {
  const balancer: ReplicaBalancer = { url: '', backends, route, log: [], close: async () => undefined };
  const server: Server = createServer((incoming, outgoing) => {
    const method = incoming.method ?? 'GET';
    const path = incoming.url ?? '/';
    const backend = balancer.route(method, path);
    const target = new URL(path, balancer.backends[backend]);
    const forwarded = request(target, { method, headers: incoming.headers, agent: false }, (answer: IncomingMessage) => {
      balancer.log.push({ method, path, backend, status: answer.statusCode ?? 0 });
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forwarded.on('error', (error) => {
      balancer.log.push({ method, path, backend, status: 502 });
      outgoing.writeHead(502, { 'Content-Type': 'text/plain' }).end(String(error));
    });
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(balancer, {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}
