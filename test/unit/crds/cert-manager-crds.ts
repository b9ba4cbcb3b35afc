import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/helm.js';

/** cert-manager's CRDs exactly as cert-manager ships them (copied unmodified from ../shared/fixtures/cert-manager/). */
export const CERT_MANAGER_FIXTURES = join(REPO_ROOT, 'test/fixtures/cert-manager');
export const SHARED_CERT_MANAGER_FIXTURES = join(REPO_ROOT, '../shared/fixtures/cert-manager');

export const CERT_MANAGER_CRD_FILES: readonly string[] = readdirSync(CERT_MANAGER_FIXTURES)
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .map((name) => join(CERT_MANAGER_FIXTURES, name));
