import type { Clock } from '../ca/index.js';
import type { ServeConfig } from '../config/serve-config.js';
import type { Logger } from '../telemetry/logger.js';
import type { ServeCluster } from './cluster-parts.js';
import type { Topology } from './topology.js';

/**
 * Standalone, or cluster mode loaded on demand: the Kubernetes client and the controller cost
 * tens of MiB and most of a second to load, so a server that uses no cluster never imports them.
 */
export async function openServeCluster(config: ServeConfig, topology: Topology, clock: Clock, logger: Logger): Promise<ServeCluster> {
  if (!topology.cluster) return standalone();
  const { ClusterMode } = await import('./cluster-mode.js');
  return ClusterMode.open(config, topology, clock, logger);
}

function standalone(): ServeCluster {
  return {
    operator: undefined,
    openCa: (fromDataDir) => fromDataDir(),
    ledger: (store) => store,
    crlNumbers: (store) => store,
    acmeState: async (store) => ({ store: store.acme(), shared: false }),
    leads: () => true,
    collectRecords: async () => 0,
    startController: async () => undefined,
    stopController: async () => undefined,
    close: () => undefined,
  };
}
