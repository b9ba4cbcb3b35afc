import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CertManagerPresence } from '../../../src/controller/cert-manager/cert-manager-presence.js';
import { isServed } from '../../../src/kube/api-discovery.js';
import type { KubeApi, KubeRequest } from '../../../src/kube/kube-api.js';
import { KubeApiError } from '../../../src/kube/kube-errors.js';
import { CERT_MANAGER_CERTIFICATE_REQUESTS } from '../../../src/custom-resources/resource-types.js';
import { createLogger } from '../../../src/telemetry/logger.js';

type Answer = 'served' | 'other-resources' | 'absent' | 'unavailable';

/** Discovery answers in order (the last one repeats), and the paths asked. */
class ScriptedDiscovery implements KubeApi {
  readonly paths: string[] = [];

  constructor(private readonly answers: Answer[]) {}

  async request<T>(request: KubeRequest): Promise<T> {
    this.paths.push(request.path);
    const answer = this.answers.length > 1 ? this.answers.shift()! : this.answers[0]!;
    if (answer === 'absent') throw new KubeApiError(404, 'NotFound', 'the server could not find the requested resource', 'GET', request.path);
    if (answer === 'unavailable') throw new KubeApiError(503, 'ServiceUnavailable', 'etcd is unhappy', 'GET', request.path);
    const names = answer === 'served' ? ['certificaterequests', 'certificaterequests/status', 'issuers'] : ['issuers'];
    return { kind: 'APIResourceList', groupVersion: 'cert-manager.io/v1', resources: names.map((name) => ({ name })) } as T;
  }

  watch(): Promise<void> {
    throw new Error('discovery only');
  }
}

function logged(): { logger: ReturnType<typeof createLogger>; lines: Array<{ level: string; msg: string }> } {
  const lines: Array<{ level: string; msg: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as { level: string; msg: string });
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination: sink }), lines };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
}

describe('isServed (discovery)', () => {
  it('is true only when the group version lists the resource, false on 404, and throws on other failures', async () => {
    expect(await isServed(new ScriptedDiscovery(['served']), CERT_MANAGER_CERTIFICATE_REQUESTS)).toBe(true);
    expect(await isServed(new ScriptedDiscovery(['other-resources']), CERT_MANAGER_CERTIFICATE_REQUESTS)).toBe(false);
    expect(await isServed(new ScriptedDiscovery(['absent']), CERT_MANAGER_CERTIFICATE_REQUESTS)).toBe(false);
    await expect(isServed(new ScriptedDiscovery(['unavailable']), CERT_MANAGER_CERTIFICATE_REQUESTS)).rejects.toThrow(/503/);
  });

  it('asks the group version path', async () => {
    const api = new ScriptedDiscovery(['served']);
    await isServed(api, CERT_MANAGER_CERTIFICATE_REQUESTS);
    expect(api.paths).toEqual(['/apis/cert-manager.io/v1']);
  });
});

describe('CertManagerPresence', () => {
  it('starts the cert-manager half before start() resolves when the CRD is served', async () => {
    const { logger, lines } = logged();
    const presence = new CertManagerPresence({ api: new ScriptedDiscovery(['served']), recheckMs: 60_000, logger });
    let started = false;
    await presence.start(async () => {
      started = true;
    });
    expect(started).toBe(true);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([['info', 'cert-manager is installed: reconciling its CertificateRequests']]);
    await presence.stop();
  });

  it('says once that the CRD is missing, keeps failed checks at debug, and starts once it appears', async () => {
    const { logger, lines } = logged();
    const api = new ScriptedDiscovery(['unavailable', 'absent', 'other-resources', 'absent', 'unavailable', 'absent', 'served']);
    const presence = new CertManagerPresence({ api, recheckMs: 1, logger });
    let started = 0;
    await presence.start(async () => {
      started += 1;
    });
    await until(() => started === 1);
    await presence.stop();
    expect(api.paths).toHaveLength(7);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      ['debug', 'could not ask discovery whether cert-manager is installed; retrying'],
      ['info', expect.stringContaining("cert-manager's CertificateRequest CRD is not installed")],
      ['debug', 'could not ask discovery whether cert-manager is installed; retrying'],
      ['info', 'cert-manager CertificateRequest CRD appeared: reconciling its CertificateRequests'],
    ]);
  });

  it('stops asking when stopped, without starting anything', async () => {
    const { logger } = logged();
    const api = new ScriptedDiscovery(['absent']);
    const presence = new CertManagerPresence({ api, recheckMs: 1, logger });
    let started = false;
    await presence.start(async () => {
      started = true;
    });
    await until(() => api.paths.length >= 3);
    await presence.stop();
    const asked = api.paths.length;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(api.paths).toHaveLength(asked);
    expect(started).toBe(false);
  });
});
