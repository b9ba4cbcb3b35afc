/**
 * Runs the controller in-process against the API-server double: a real CA, the real issuance
 * service over SQLite, KubeHttpClient over HTTPS to the double, and real kubectl for the user side.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Ipv4RangeSet, LeafSigner, systemClock, type CaMaterial, type Clock, type IssuedCertificate } from '../../src/ca/index.js';
import { Operator } from '../../src/controller/operator.js';
import { fixedOperatorCa } from '../../src/controller/issuers/signing-ca.js';
import type { OperatorOptions } from '../../src/controller/operator-options.js';
import { IssuanceService } from '../../src/issuance/issuance-service.js';
import type { IssueRequest } from '../../src/issuance/issuance-types.js';
import type { KubeApi } from '../../src/kube/kube-api.js';
import { connectKube, type KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeHttpClient } from '../../src/kube/kube-http-client.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { silentLogger, type Logger } from '../../src/telemetry/logger.js';
import { REPO_ROOT } from './cli.js';
import { startFakeApiServer, type FakeApiServer, type JsonObject } from './fake-apiserver/index.js';
import { isolatedToolEnv, kubeTools, runTool, type ToolResult } from './kube-tools.js';
import { testCa as sharedTestCa } from './test-ca.js';

export const TEST_RANGES = Ipv4RangeSet.parse('10.0.0.0/8,172.16.0.0/12,192.168.0.0/16');
export const CRD_DIR = join(REPO_ROOT, 'crds');
/** cert-manager's own CRDs, unmodified (test/unit/crds/cert-manager-crds.test.ts keeps them identical to the shared fixtures). */
export const CERT_MANAGER_CRD_DIR = join(REPO_ROOT, 'test/fixtures/cert-manager');

/** Counts signatures per reference: "exactly one certificate per request" is checked on it. */
export class CountingIssuer {
  readonly signed = new Map<string, IssuedCertificate[]>();

  constructor(private readonly inner: { issue(request: IssueRequest): Promise<IssuedCertificate> }) {}

  async issue(request: IssueRequest): Promise<IssuedCertificate> {
    const issued = await this.inner.issue(request);
    const key = request.reference ?? '';
    this.signed.set(key, [...(this.signed.get(key) ?? []), issued]);
    return issued;
  }

  count(reference: string): number {
    return this.signed.get(reference)?.length ?? 0;
  }

  get total(): number {
    let sum = 0;
    for (const list of this.signed.values()) sum += list.length;
    return sum;
  }
}

export interface HarnessOptions {
  readonly certManager?: boolean;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly watchHistorySize?: number;
  /** Install crds/ with `kubectl apply -f crds/` (as a user would) instead of directly. */
  readonly crdsViaKubectl?: boolean;
  /** The default CA (a fresh test CA when absent). */
  readonly material?: CaMaterial;
}

export interface ControllerHarness {
  readonly fake: FakeApiServer;
  readonly api: KubeApi;
  readonly material: CaMaterial;
  readonly issuance: IssuanceService;
  readonly issuer: CountingIssuer;
  readonly store: SqliteStore;
  readonly home: string;
  /** Builds (does not start) an operator wired to this harness; `api` may wrap the harness's. */
  operator(overrides?: Partial<OperatorOptions>): Operator;
  kubectl(...args: string[]): Promise<ToolResult>;
  kubectlOk(...args: string[]): Promise<string>;
  /** `kubectl apply -f -` of a manifest. */
  apply(manifest: string): Promise<string>;
  getJson(...args: string[]): Promise<JsonObject>;
  close(): Promise<void>;
}

/** Registers CRD files through the double's create pipeline (fast; kubectl is exercised elsewhere). */
export async function installCrds(fake: FakeApiServer, files: readonly string[]): Promise<void> {
  for (const file of files) {
    for (const document of parseAllDocuments(await readFile(file, 'utf8'))) {
      const crd = document.toJSON() as JsonObject | null;
      if (crd) fake.objects.create(crd);
    }
  }
  await fake.settle();
}

export async function crdFiles(): Promise<string[]> {
  return (await readdir(CRD_DIR)).filter((name) => name.endsWith('.yaml')).map((name) => join(CRD_DIR, name));
}

export async function certManagerCrdFiles(): Promise<string[]> {
  return (await readdir(CERT_MANAGER_CRD_DIR)).filter((name) => name.endsWith('.yaml')).sort().map((name) => join(CERT_MANAGER_CRD_DIR, name));
}

export function testCa(clock: Clock = systemClock): CaMaterial {
  return sharedTestCa({ allowedRanges: TEST_RANGES, clock });
}

export async function startHarness(options: HarnessOptions = {}): Promise<ControllerHarness> {
  const fake = await startFakeApiServer({ ...(options.watchHistorySize ? { watchHistorySize: options.watchHistorySize } : {}) });
  const home = await mkdtemp(join(tmpdir(), 'smsgate-ca-controller-'));
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger();
  const env = isolatedToolEnv(fake.kubeconfigPath, home);
  const kubectl = (...args: string[]) => runTool(kubeTools().kubectl, args, env);
  const kubectlOk = async (...args: string[]) => {
    const result = await kubectl(...args);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
    return result.stdout;
  };
  if (options.crdsViaKubectl) {
    await kubectlOk('apply', '-f', CRD_DIR);
    await kubectlOk('wait', '--for=condition=Established', '--timeout=30s', 'crd/certificaterequests.smsgate-ca.sms-gate.app', 'crd/ipissuers.smsgate-ca.sms-gate.app', 'crd/ipclusterissuers.smsgate-ca.sms-gate.app');
  } else {
    await installCrds(fake, await crdFiles());
  }
  if (options.certManager) await installCrds(fake, await certManagerCrdFiles());
  const connection: KubeConnection = await connectKube({ kubeconfigPath: fake.kubeconfigPath });
  const api = new KubeHttpClient(connection, { userAgent: 'smsgate-ca-test' });
  const material = options.material ?? testCa(clock);
  const store = SqliteStore.open(join(home, 'ledger.db'));
  const newIssuance = (ca: CaMaterial, allowedRanges: Ipv4RangeSet) => new IssuanceService({ store, signer: new LeafSigner(ca, { clock }), allowedRanges, clock, logger });
  const issuance = newIssuance(material, material.allowedRanges);
  const issuer = new CountingIssuer(issuance);
  const operators: Operator[] = [];
  return {
    fake,
    api,
    material,
    issuance,
    issuer,
    store,
    home,
    operator(overrides = {}) {
      const operator = new Operator({
        api,
        defaultCa: fixedOperatorCa(material, issuer),
        issuerFactory: (ca, ranges) => new CountingIssuer(newIssuance(ca ?? material, ranges)),
        configuredRanges: TEST_RANGES,
        clusterResourceNamespace: 'default',
        certManager: options.certManager ?? false,
        identity: `test-${operators.length}`,
        workers: 4,
        backoff: { initialMs: 50, maxMs: 2000 },
        watchTimeoutSeconds: 60,
        clock,
        logger,
        ...overrides,
      });
      operators.push(operator);
      return operator;
    },
    kubectl,
    kubectlOk,
    async apply(manifest) {
      const file = join(home, `manifest-${Date.now()}-${Math.random().toString(16).slice(2)}.yaml`);
      await writeFile(file, manifest);
      return kubectlOk('apply', '-f', file);
    },
    async getJson(...args) {
      return JSON.parse(await kubectlOk('get', ...args, '-o', 'json')) as JsonObject;
    },
    async close() {
      await Promise.all(operators.map((operator) => operator.stop().catch(() => undefined)));
      connection.close();
      store.close();
      await fake.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

export { eventually } from './eventually.js';

export { ManualClock } from './manual-clock.js';

