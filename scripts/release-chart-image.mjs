#!/usr/bin/env node
// Points a chart's default image at the image a release published, before `helm package`:
// sets image.registry and image.repository in CHART/values.yaml, keeping its comments.
//
//   node scripts/release-chart-image.mjs charts/smsgate-ca ghcr.io owner/smsgate-ca
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';

const [chart, registry, repository] = process.argv.slice(2);
if (!chart || !registry || !repository) {
  process.stderr.write('usage: release-chart-image.mjs CHART_DIR REGISTRY REPOSITORY\n');
  process.exit(2);
}
const file = join(chart, 'values.yaml');
const values = parseDocument(readFileSync(file, 'utf8'));
if (!values.hasIn(['image', 'registry']) || !values.hasIn(['image', 'repository'])) {
  process.stderr.write(`${file} has no image.registry / image.repository to set\n`);
  process.exit(1);
}
values.setIn(['image', 'registry'], registry);
values.setIn(['image', 'repository'], repository);
writeFileSync(file, values.toString({ lineWidth: 0 }));
process.stdout.write(`${file}: image ${registry}/${repository}\n`);
