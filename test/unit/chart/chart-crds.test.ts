import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CHART_DIR, CRDS_DIR, crdSourceFiles, helmTemplate, runHelm, type Manifest } from '../../support/helm.js';
import { byKind } from './chart-fixtures.js';

const CHART_CRDS_DIR = join(CHART_DIR, 'crds-src');
const CHART_LABELS = ['helm.sh/chart', 'app.kubernetes.io/instance', 'app.kubernetes.io/version', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/part-of'];
const SYNC_HINT = 'charts/smsgate-ca/crds-src/ must be a copy of crds/: cp crds/*.yaml charts/smsgate-ca/crds-src/';

/** A rendered CRD with what the chart adds (its labels, the keep annotation) taken away again. */
function withoutChartMetadata(manifest: Manifest): Manifest {
  const copy = structuredClone(manifest);
  for (const label of CHART_LABELS) delete copy.metadata.labels?.[label];
  delete copy.metadata.annotations?.['helm.sh/resource-policy'];
  if (copy.metadata.annotations && Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  return copy;
}

function sourceCrds(): Map<string, unknown> {
  return new Map(
    crdSourceFiles().map((file) => {
      const crd = parse(readFileSync(join(CRDS_DIR, file), 'utf8')) as Manifest;
      return [crd.metadata.name, crd];
    }),
  );
}

describe('the chart CRDs come from crds/ (single source of truth)', () => {
  it('keeps charts/smsgate-ca/crds-src byte-identical to crds/', () => {
    const chartFiles = readdirSync(CHART_CRDS_DIR).sort();
    expect(chartFiles, SYNC_HINT).toEqual(crdSourceFiles());
    for (const file of chartFiles) {
      expect(readFileSync(join(CHART_CRDS_DIR, file), 'utf8'), `${file}: ${SYNC_HINT}`).toBe(readFileSync(join(CRDS_DIR, file), 'utf8'));
    }
  });

  it('renders exactly the CRDs of crds/, unchanged but for the chart labels and the keep annotation', () => {
    const rendered = byKind(helmTemplate(), 'CustomResourceDefinition');
    const sources = sourceCrds();
    expect(rendered.map((crd) => crd.metadata.name).sort()).toEqual([...sources.keys()].sort());
    for (const crd of rendered) expect(withoutChartMetadata(crd), crd.metadata.name).toEqual(sources.get(crd.metadata.name));
  });

  it('labels the CRDs as part of the release', () => {
    for (const crd of byKind(helmTemplate(), 'CustomResourceDefinition')) {
      expect(crd.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/instance': 'smsgate-ca' });
    }
  });

  it('keeps the CRDs on uninstall by default and not with crds.keep=false', () => {
    for (const crd of byKind(helmTemplate(), 'CustomResourceDefinition')) {
      expect(crd.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
    }
    for (const crd of byKind(helmTemplate({ set: ['crds.keep=false'] }), 'CustomResourceDefinition')) {
      expect(crd.metadata.annotations?.['helm.sh/resource-policy']).toBeUndefined();
    }
  });

  it('renders no CRD with crds.enabled=false, and everything else still', () => {
    const manifests = helmTemplate({ set: ['crds.enabled=false'] });
    expect(byKind(manifests, 'CustomResourceDefinition')).toEqual([]);
    expect(byKind(manifests, 'Deployment')).toHaveLength(1);
  });

  describe('helm package', () => {
    const outDir = mkdtempSync(join(tmpdir(), 'smsgate-ca-package-'));
    afterAll(() => rmSync(outDir, { recursive: true, force: true }));

    it('packages the chart with its CRD copies, and the package renders the same CRDs', () => {
      const packaged = runHelm(['package', CHART_DIR, '--destination', outDir]);
      expect(packaged.status, packaged.stderr).toBe(0);
      const archive = join(outDir, 'smsgate-ca-0.1.0.tgz');
      const fromPackage = byKind(helmTemplate({ chart: archive }), 'CustomResourceDefinition');
      const fromFolder = byKind(helmTemplate(), 'CustomResourceDefinition');
      expect(fromPackage).toHaveLength(7);
      expect(fromPackage).toEqual(fromFolder);
    });
  });
});
