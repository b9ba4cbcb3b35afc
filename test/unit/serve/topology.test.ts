import { describe, expect, it } from 'vitest';
import { Ipv4RangeSet } from '../../../src/ca/index.js';
import { parseFlags } from '../../../src/cli/flags.js';
import { serveCommand } from '../../../src/cli/serve-command.js';
import { buildServeConfig } from '../../../src/config/serve-config.js';
import { planTopology, type Topology } from '../../../src/serve/topology.js';

type Shape = Pick<Topology, 'cluster' | 'ledger' | 'acmeState' | 'crlNumbers' | 'restSigner' | 'controller'> & { ca: 'data-dir' | 'secret' };

/** `smsgate-ca serve ARGV`'s topology, from the same flag parsing and settings tables the CLI uses. */
const topologyOf = (argv: readonly string[]): Topology => planTopology(buildServeConfig(parseFlags(serveCommand, ['--data-dir', '/srv/ca', ...argv], {}).flags));

const shapeOf = (argv: readonly string[]): Shape => {
  const { cluster, ca, ledger, acmeState, crlNumbers, restSigner, controller } = topologyOf(argv);
  return { cluster, ca: ca.source.kind, ledger, acmeState, crlNumbers, restSigner, controller };
};

const standalone: Shape = { cluster: false, ca: 'data-dir', ledger: 'sqlite', acmeState: 'sqlite', crlNumbers: 'sqlite', restSigner: 'worker', controller: false };

describe('planTopology: which parts make up a serve', () => {
  it.each<[string, string[], Shape]>([
    ['no cluster flag: everything local', [], standalone],
    ['--store sqlite alone is still standalone', ['--store', 'sqlite'], standalone],
    ['--kubeconfig: controller and the cluster ledger; the controller signs REST requests', ['--kubeconfig', '/k'], { cluster: true, ca: 'data-dir', ledger: 'kubernetes', acmeState: 'kubernetes', crlNumbers: 'sqlite', restSigner: 'controller', controller: true }],
    ['--kubeconfig --store sqlite: the controller runs, the worker signs REST requests', ['--kubeconfig', '/k', '--store', 'sqlite'], { cluster: true, ca: 'data-dir', ledger: 'sqlite', acmeState: 'sqlite', crlNumbers: 'sqlite', restSigner: 'worker', controller: true }],
    ['the chart: --controller --ca-secret --store kubernetes', ['--controller', '--ca-secret', 'ca', '--store', 'kubernetes'], { cluster: true, ca: 'secret', ledger: 'kubernetes', acmeState: 'kubernetes', crlNumbers: 'ca-secret', restSigner: 'controller', controller: true }],
    ['the chart with the controller off: replicas share the ledger, each worker signs', ['--ca-secret', 'ca', '--store', 'kubernetes'], { cluster: true, ca: 'secret', ledger: 'kubernetes', acmeState: 'kubernetes', crlNumbers: 'ca-secret', restSigner: 'worker', controller: false }],
    ['--ca-secret --store sqlite: CRL numbers stay beside the SQLite ledger', ['--ca-secret', 'ca', '--store', 'sqlite'], { cluster: true, ca: 'secret', ledger: 'sqlite', acmeState: 'sqlite', crlNumbers: 'sqlite', restSigner: 'worker', controller: false }],
  ])('%s', (_name, argv, shape) => {
    expect(shapeOf(argv)).toEqual(shape);
  });

  it('names the Secret or the data directory the CA comes from', () => {
    expect(topologyOf([]).ca.source).toEqual({ kind: 'data-dir', dir: '/srv/ca' });
    expect(topologyOf(['--controller', '--ca-secret', 'lab-ca']).ca.source).toEqual({ kind: 'secret', name: 'lab-ca' });
  });

  it('one rule for the ranges, standalone and in a cluster: a new CA gets --allowed-cidrs or the private ranges; a loaded CA keeps its own unless --allowed-cidrs narrows it', () => {
    for (const cluster of [[], ['--controller', '--ca-secret', 'ca']]) {
      const own = topologyOf(cluster).ca;
      expect([own.newCaRanges.toString(), own.allowedRanges]).toEqual([Ipv4RangeSet.defaults.toString(), undefined]);
      const given = topologyOf(['--allowed-cidrs', '10.1.0.0/16', ...cluster]).ca;
      expect([given.newCaRanges.toString(), given.allowedRanges?.toString()]).toEqual(['10.1.0.0/16', '10.1.0.0/16']);
    }
  });
});
