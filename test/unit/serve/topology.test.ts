import { describe, expect, it } from 'vitest';
import { Ipv4RangeSet } from '../../../src/ca/index.js';
import { buildServeConfig, type ServeSettings } from '../../../src/config/serve-config.js';
import { planTopology, type Topology } from '../../../src/serve/topology.js';

type Shape = Pick<Topology, 'cluster' | 'ledger' | 'crlNumbers' | 'restSigner' | 'controller'> & { ca: 'data-dir' | 'secret' };

const plan = (settings: ServeSettings): Shape => {
  const topology = planTopology(buildServeConfig({ dataDir: '/srv/ca', ...settings }));
  const { cluster, ledger, crlNumbers, restSigner, controller } = topology;
  return { cluster, ca: topology.ca.source.kind, ledger, crlNumbers, restSigner, controller };
};

const standalone: Shape = { cluster: false, ca: 'data-dir', ledger: 'sqlite', crlNumbers: 'sqlite', restSigner: 'worker', controller: false };

describe('planTopology: which parts make up a serve', () => {
  it.each<[string, ServeSettings, Shape]>([
    ['no cluster flag: everything local', {}, standalone],
    ['--store sqlite alone is still standalone', { kubernetes: { store: 'sqlite' } }, standalone],
    ['--kubeconfig: controller and the cluster ledger; the controller signs REST requests', { kubernetes: { kubeconfig: '/k' } }, { cluster: true, ca: 'data-dir', ledger: 'kubernetes', crlNumbers: 'sqlite', restSigner: 'controller', controller: true }],
    ['--kubeconfig --store sqlite: the controller runs, the worker signs REST requests', { kubernetes: { kubeconfig: '/k', store: 'sqlite' } }, { cluster: true, ca: 'data-dir', ledger: 'sqlite', crlNumbers: 'sqlite', restSigner: 'worker', controller: true }],
    ['the chart: --controller --ca-secret --store kubernetes', { kubernetes: { controller: true, caSecret: 'ca', store: 'kubernetes' } }, { cluster: true, ca: 'secret', ledger: 'kubernetes', crlNumbers: 'ca-secret', restSigner: 'controller', controller: true }],
    ['the chart with the controller off: replicas share the ledger, each worker signs', { kubernetes: { caSecret: 'ca', store: 'kubernetes' } }, { cluster: true, ca: 'secret', ledger: 'kubernetes', crlNumbers: 'ca-secret', restSigner: 'worker', controller: false }],
    ['--ca-secret with --store sqlite: CRL numbers stay beside the SQLite ledger', { kubernetes: { caSecret: 'ca', store: 'sqlite' } }, { cluster: true, ca: 'secret', ledger: 'sqlite', crlNumbers: 'sqlite', restSigner: 'worker', controller: false }],
  ])('%s', (_name, settings, shape) => {
    expect(plan(settings)).toEqual(shape);
  });

  it('names the Secret or the data directory the CA comes from', () => {
    expect(planTopology(buildServeConfig({ dataDir: '/srv/ca' })).ca.source).toEqual({ kind: 'data-dir', dir: '/srv/ca' });
    expect(planTopology(buildServeConfig({ kubernetes: { controller: true, caSecret: 'lab-ca' } })).ca.source).toEqual({ kind: 'secret', name: 'lab-ca' });
  });

  it('one rule for the ranges, standalone and in a cluster: a new CA gets --allowed-cidrs or the private ranges; a loaded CA keeps its own unless --allowed-cidrs narrows it', () => {
    for (const kubernetes of [{}, { controller: true, caSecret: 'ca' }]) {
      const own = planTopology(buildServeConfig({ kubernetes })).ca;
      expect([own.newCaRanges.toString(), own.allowedRanges]).toEqual([Ipv4RangeSet.defaults.toString(), undefined]);
      const given = planTopology(buildServeConfig({ allowedCidrs: '10.1.0.0/16', kubernetes })).ca;
      expect([given.newCaRanges.toString(), given.allowedRanges?.toString()]).toEqual(['10.1.0.0/16', '10.1.0.0/16']);
    }
  });
});
