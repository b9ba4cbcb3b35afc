import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { API_GROUP, ISSUER_KINDS } from '../../../src/custom-resources/crd-types.js';
import { CHART_DIR, REPO_ROOT, helmNotes, helmTemplate, helmTemplateRaw, type Manifest } from '../../support/helm.js';
import { startAdmissionCluster } from '../crds/crd-admission.js';
import type { AdmissionCluster } from '../crds/crd-admission.js';
import { CERT_MANAGER_CRD_FILES } from '../crds/cert-manager-crds.js';

let cluster: AdmissionCluster;
beforeAll(async () => {
  cluster = await startAdmissionCluster(CERT_MANAGER_CRD_FILES);
});
afterAll(async () => {
  await cluster?.close();
});

function admit(_kind: string, object: object): { errors: string[] } {
  return cluster.admit(object);
}
import { crdOf } from '../crds/crd-documents.js';
import { containerOf, only, type Pod } from './chart-fixtures.js';

const HEADING = '## Install on Kubernetes';

/** The README's Kubernetes section; until the lead merges it, the draft in .tmp/. */
function kubernetesSection(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n${HEADING}\n`);
  if (start >= 0) {
    const end = readme.indexOf('\n## ', start + HEADING.length + 2);
    return readme.slice(start, end < 0 ? undefined : end);
  }
  const draft = join(REPO_ROOT, '.tmp/readme-kubernetes.md');
  if (!existsSync(draft)) throw new Error(`README.md has no "${HEADING}" section`);
  return readFileSync(draft, 'utf8');
}

function codeBlocks(markdown: string, language: string): string[] {
  return [...markdown.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].filter((match) => match[1] === language).map((match) => match[2]!);
}

function shellCommands(markdown: string): string[][] {
  return codeBlocks(markdown, 'sh')
    .flatMap((block) => block.replace(/\\\n\s*/g, ' ').split('\n'))
    .map((line) => line.replace(/\s+#\s.*$/, '').trim())
    .filter(Boolean)
    .map((line) => line.split(/\s+/));
}

function flagValues(command: readonly string[], flag: string): string[] {
  return command.flatMap((word, index) => (word === flag && command[index + 1] ? [command[index + 1]!] : []));
}

function yamlObjects(markdown: string): Manifest[] {
  return codeBlocks(markdown, 'yaml').flatMap((block) =>
    parseAllDocuments(block).map((document) => {
      if (document.errors.length > 0) throw new Error(`invalid YAML snippet: ${document.errors[0]!.message}`);
      return document.toJS() as Manifest;
    }),
  );
}

function ipv4ToNumber(text: string): number {
  return text.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4ToNumber(ip) / size) === Math.floor(ipv4ToNumber(base) / size);
}

const section = kubernetesSection();
const certManagerValues = { config: { tls: { mode: 'certManager', certManager: { issuerRef: { name: 'cluster-ca' } } } } };

function acmeDirectoryUrl(manifests: readonly Manifest[]): string {
  const env = (only(manifests, 'Pod') as Pod).spec.containers[0]?.env ?? [];
  return `${env.find((item) => item.name === 'BASE_URL')?.value}/acme/directory`;
}

describe('README "Install on Kubernetes"', () => {
  const commands = shellCommands(section);

  it('installs with helm commands that render with the chart as written', () => {
    const helmCommands = commands.filter((command) => command[0] === 'helm' && ['install', 'upgrade'].includes(command[1]!));
    expect(helmCommands.length).toBeGreaterThanOrEqual(3);
    for (const command of helmCommands) {
      const chart = command.find((word) => word.startsWith('./charts/'));
      expect(chart && join(REPO_ROOT, chart), command.join(' ')).toBe(CHART_DIR);
      const result = helmTemplateRaw({ namespace: flagValues(command, '--namespace')[0], set: flagValues(command, '--set') });
      expect(result.stderr, command.join(' ')).toBe('');
      expect(result.status).toBe(0);
    }
  });

  it('names the Secrets, Deployment and resources the chart really creates', () => {
    const defaults = helmTemplate();
    const certManagerMode = helmTemplate({ values: [certManagerValues] });
    const caSecret = containerOf(defaults).args?.find((arg) => arg.startsWith('--ca-secret='))?.split('=')[1];
    const servingSecret = (only(certManagerMode, 'Certificate') as { spec?: { secretName?: string } }).spec?.secretName;
    const kubectl = commands.filter((command) => command[0] === 'kubectl');
    // `kubectl create secret generic NAME`: a Secret the reader makes, which a helm command then names as ca.existingSecret.
    const creates = (command: readonly string[]) => command[command.indexOf('secret') - 1] === 'create';
    const made = kubectl.filter((command) => command.includes('secret') && creates(command)).map((command) => command[command.indexOf('secret') + 2]);
    expect(made.length).toBeGreaterThan(0);
    const existingSecrets = commands.filter((command) => command[0] === 'helm').flatMap((command) => flagValues(command, '--set')).filter((set) => set.startsWith('ca.existingSecret='));
    for (const name of made) expect(existingSecrets).toContain(`ca.existingSecret=${name}`);
    const secrets = kubectl.filter((command) => command.includes('secret') && !creates(command)).map((command) => command[command.indexOf('secret') + 1]);
    expect([...new Set(secrets)].sort()).toEqual([caSecret, servingSecret].sort());
    for (const command of kubectl) {
      for (const word of command) {
        if (word.startsWith('deployment/')) expect(word).toBe(`deployment/${only(defaults, 'Deployment').metadata.name}`);
        if (word.startsWith('certificaterequests.')) expect(word.split('/')[0]).toBe(crdOf('CertificateRequest').metadata.name);
      }
      // `-f` names a folder of the repository or a file holding one of the YAML snippets (by object name).
      for (const file of flagValues(command, '-f')) {
        const snippetNames = yamlObjects(section).map((object) => `${object.metadata.name}.yaml`);
        expect(existsSync(join(REPO_ROOT, file)) || snippetNames.includes(file), file).toBe(true);
      }
    }
    expect(crdOf('CertificateRequest').spec.names.shortNames).toContain('ipcr');
  });

  it('builds and loads (kind, k3s) exactly the image the chart uses by default, and pushes the one the install command names', () => {
    const defaultImage = containerOf(helmTemplate()).image;
    const appVersion = (parse(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as { appVersion: string }).appVersion;
    const builds = commands.filter((command) => command[0] === 'docker' && command[1] === 'build');
    expect(builds.flatMap((command) => flagValues(command, '--build-arg'))).toEqual(builds.map(() => `VERSION=${appVersion}`));
    const [local, pushed] = builds.map((command) => flagValues(command, '-t')[0]);
    expect(local).toBe(defaultImage);
    const loads = commands.filter((command) => (command[0] === 'kind' && command[1] === 'load') || (command[0] === 'docker' && command[1] === 'save'));
    expect(loads.map((command) => command[0])).toEqual(['kind', 'docker']);
    for (const command of loads) expect(command).toContain(defaultImage);
    expect(commands.some((command) => command.join(' ').includes('| sudo k3s ctr images import -'))).toBe(true);
    const install = commands.find((command) => command[0] === 'helm' && command[1] === 'install')!;
    expect(containerOf(helmTemplate({ set: flagValues(install, '--set') })).image).toBe(pushed);
    expect(commands.find((command) => command[0] === 'docker' && command[1] === 'push')?.[2]).toBe(pushed);
  });

  it('shows only values that exist in values.yaml', () => {
    const values = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as Record<string, unknown>;
    const rows = section.split('\n').filter((line) => line.startsWith('| `'));
    const keys = rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([\w.]+)`/g)].map((match) => match[1]!));
    expect(keys.length).toBeGreaterThan(8);
    for (const key of keys) {
      const found = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], values);
      expect(found, key).not.toBeUndefined();
    }
  });

  it('has CertificateRequest and issuer examples the CRDs admit', () => {
    const ours = yamlObjects(section).filter((object) => object.apiVersion === `${API_GROUP}/v1alpha1`);
    expect(ours.map((object) => object.kind).sort()).toEqual(['CertificateRequest', 'IPClusterIssuer']);
    for (const object of ours) expect(admit(object.kind, object).errors, object.kind).toEqual([]);
  });

  it('has cert-manager examples that cert-manager\'s own CRDs admit, and no caBundle placeholder', () => {
    const theirs = yamlObjects(section).filter((object) => String(object.apiVersion).startsWith('cert-manager.io/'));
    expect(theirs.map((object) => object.kind).sort()).toEqual(['Certificate', 'ClusterIssuer']);
    for (const object of theirs) expect(admit(object.kind, object).errors, object.kind).toEqual([]);
    const issuer = theirs.find((object) => object.kind === 'ClusterIssuer') as Manifest & { spec: { acme: Record<string, unknown> } };
    const placeholder = { ...issuer, spec: { acme: { ...issuer.spec.acme, caBundle: 'LS0tLS1CRUdJTi...' } } };
    expect(admit('ClusterIssuer', placeholder).errors).toEqual([
      'spec.acme.caBundle: Invalid value: "LS0tLS1CRUdJTi...": spec.acme.caBundle in body must be of type byte: "LS0tLS1CRUdJTi..."',
      '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    ]);
  });

  it('points a cert-manager Certificate at an issuer of ours that allows its IPs', () => {
    const objects = yamlObjects(section);
    const certificate = objects.find((object) => object.kind === 'Certificate') as Manifest & {
      spec: { ipAddresses: string[]; issuerRef: { group: string; kind: string; name: string } };
    };
    expect(certificate.spec.issuerRef.group).toBe(API_GROUP);
    expect(ISSUER_KINDS).toContain(certificate.spec.issuerRef.kind);
    const issuer = objects.find(
      (object) => object.kind === certificate.spec.issuerRef.kind && object.metadata.name === certificate.spec.issuerRef.name,
    ) as Manifest & { spec: { allowedCIDRs: string[] } };
    expect(issuer).toBeDefined();
    for (const ip of certificate.spec.ipAddresses) expect(issuer.spec.allowedCIDRs.some((cidr) => inCidr(ip, cidr)), ip).toBe(true);
  });

  it('gives the cert-manager ACME issuer the directory URL the chart serves', () => {
    const issuer = yamlObjects(section).find((object) => object.kind === 'ClusterIssuer') as Manifest & { spec: { acme: { server: string } } };
    expect(issuer.spec.acme.server).toBe(acmeDirectoryUrl(helmTemplate({ values: [certManagerValues] })));
  });
});

describe('NOTES.txt', () => {
  const notes = helmNotes();

  it('shows how to fetch the root CA from the CA Secret the operator uses', () => {
    const caSecret = containerOf(helmTemplate()).args?.find((arg) => arg.startsWith('--ca-secret='))?.split('=')[1];
    expect(notes).toContain(`get secret ${caSecret} -o jsonpath='{.data.ca\\.crt}'`);
  });

  it('has a sample CertificateRequest the CRD admits', () => {
    const heredoc = /<<'YAML'\n([\s\S]*?)\n\s*YAML\n/.exec(notes)?.[1];
    expect(heredoc).toBeDefined();
    const sample = parse(heredoc!.replace(/^ {3}/gm, '')) as Manifest;
    expect(sample.kind).toBe('CertificateRequest');
    expect(admit('CertificateRequest', sample).errors).toEqual([]);
  });

  it('warns while the image is the unpublished default, with the commands to load it, and not once a registry is set', () => {
    const image = containerOf(helmTemplate()).image;
    expect(notes).toContain(`WARNING: the image "${image}" is this chart's unpublished default`);
    expect(notes).toContain(`kind load docker-image ${image}`);
    expect(notes).toContain(`docker save ${image} | sudo k3s ctr images import -`);
    for (const set of [['image.registry=registry.example.internal'], ['global.imageRegistry=mirror.example.internal'], [`image.digest=sha256:${'ab'.repeat(32)}`], ['image.repository=team/smsgate-ca']]) {
      expect(helmNotes({ set }), set.join()).not.toContain('WARNING');
    }
  });

  it('gives the ACME directory URL, and the ACME issuer with caBundle once the serving certificate fits', () => {
    const url = acmeDirectoryUrl(helmTemplate());
    expect(notes).toContain(url);
    expect(notes).not.toContain('kind: ClusterIssuer');
    const certManagerNotes = helmNotes({ values: [certManagerValues] });
    expect(certManagerNotes).toContain(`server: ${url}`);
    expect(certManagerNotes).toContain("get secret smsgate-ca-tls -o jsonpath='{.data.ca\\.crt}'");
    expect(certManagerNotes).toContain('caBundle: $CA_BUNDLE');
  });
});
