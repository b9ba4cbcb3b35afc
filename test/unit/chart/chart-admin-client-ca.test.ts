import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../../src/cli/flags.js';
import { serveCommand } from '../../../src/cli/serve-command.js';
import { buildServeConfig } from '../../../src/config/serve-config.js';
import { helmTemplate, helmTemplateRaw } from '../../support/helm.js';
import { containerOf, deploymentOf } from './chart-fixtures.js';

/**
 * config.adminClientCa: the admin CA bundle from a ConfigMap or a Secret, mounted read-only, and
 * `--admin-client-ca` naming the very file the volume puts there.
 */
interface BundleVolume {
  name: string;
  configMap?: { name: string; items: Array<{ key: string; path: string }> };
  secret?: { secretName: string; items: Array<{ key: string; path: string }> };
}

function rendered(values: object): { args: string[]; volume: BundleVolume | undefined; mountPath: string | undefined } {
  const manifests = helmTemplate({ values: [values] });
  const container = containerOf(manifests);
  const volumes = (deploymentOf(manifests).spec.template.spec.volumes ?? []) as unknown as BundleVolume[];
  return {
    args: container.args ?? [],
    volume: volumes.find((volume) => volume.name === 'admin-client-ca'),
    mountPath: container.volumeMounts?.find((mount) => mount.name === 'admin-client-ca' && mount.readOnly === true)?.mountPath,
  };
}

/** The file serve would read: the mount path plus the item's path, as the kubelet lays it out. */
function mountedFile(result: ReturnType<typeof rendered>): string {
  const item = (result.volume?.configMap ?? result.volume?.secret)?.items[0];
  return `${result.mountPath}/${item?.path}`;
}

function adminClientCaFlag(args: readonly string[]): string | undefined {
  return args.find((arg) => arg.startsWith('--admin-client-ca='))?.slice('--admin-client-ca='.length);
}

describe('chart: config.adminClientCa', () => {
  it('is off by default: no flag, no volume', () => {
    const result = rendered({});
    expect(adminClientCaFlag(result.args)).toBeUndefined();
    expect(result.volume).toBeUndefined();
  });

  it('from a ConfigMap: the flag names the mounted key, and serve reads the flag', () => {
    const result = rendered({ config: { adminClientCa: { configMap: 'admin-ca' } } });
    expect(result.volume?.configMap).toEqual({ name: 'admin-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] });
    expect(adminClientCaFlag(result.args)).toBe(mountedFile(result));
    const [, ...args] = result.args;
    expect(buildServeConfig(parseFlags(serveCommand, args, { POD_NAMESPACE: 'smsgate-ca', POD_NAME: 'p' }).flags).adminClientCaFile).toBe(mountedFile(result));
  });

  it('from a Secret, with another key', () => {
    const result = rendered({ config: { adminClientCa: { secret: 'admin-ca', key: 'bundle.pem' } } });
    expect(result.volume?.secret).toMatchObject({ secretName: 'admin-ca', items: [{ key: 'bundle.pem', path: 'bundle.pem' }] });
    expect(adminClientCaFlag(result.args)).toBe('/etc/smsgate-ca/admin-client-ca/bundle.pem');
    expect(mountedFile(result)).toBe('/etc/smsgate-ca/admin-client-ca/bundle.pem');
  });

  it.each([
    ['both a ConfigMap and a Secret', ['config.adminClientCa.configMap=a', 'config.adminClientCa.secret=b'], 'give configMap or secret, not both'],
    ['plain HTTP in the pod', ['config.adminClientCa.configMap=a', 'config.tls.mode=insecureHttp'], 'config.adminClientCa needs TLS in the pod'],
    ['a name Kubernetes would refuse', ['config.adminClientCa.configMap=Admin_CA'], 'adminClientCa'],
  ])('refuses %s', (_name, set, message) => {
    const result = helmTemplateRaw({ set });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});
