import { afterAll, beforeAll } from 'vitest';
import { connectKube, type KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeHttpClient } from '../../src/kube/kube-http-client.js';
import { crdFiles, installCrds } from './controller-harness.js';
import { startFakeApiServer, type FakeApiServer } from './fake-apiserver/index.js';

/** The API-server double with our CRDs installed, and one client connection to it. */
export interface KubeDouble {
  readonly fake: FakeApiServer;
  readonly connection: KubeConnection;
  /** A client over the shared connection. */
  api(): KubeHttpClient;
  /** Creates a namespace named `<prefix>-<n>`, new for each call. */
  newNamespace(prefix: string): string;
}

/** Starts the double before the file's tests and closes it after them. */
export function useKubeDouble(): KubeDouble {
  let fake: FakeApiServer | undefined;
  let connection: KubeConnection | undefined;
  let namespaces = 0;
  beforeAll(async () => {
    fake = await startFakeApiServer();
    await installCrds(fake, await crdFiles());
    connection = await connectKube({ kubeconfigPath: fake.kubeconfigPath });
  });
  afterAll(async () => {
    connection?.close();
    await fake?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the API-server double is used before beforeAll started it');
    return value;
  };
  return {
    get fake() {
      return started(fake);
    },
    get connection() {
      return started(connection);
    },
    api: () => new KubeHttpClient(started(connection)),
    newNamespace(prefix) {
      const namespace = `${prefix}-${++namespaces}`;
      started(fake).objects.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      return namespace;
    },
  };
}
