import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';

/** Every HTTP path of this server that README.md names (`/api/v1/…`, `/acme/…`, `/crl.pem`, `/healthz`…). */
export function readmeServerPaths(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const found = readme.matchAll(/(?<![\w.])\/(?:api\/v1\/[\w./{}-]*[\w}]|api\/v1\/[\w]+|acme\/[\w-]+|crl\.pem|crl(?![\w.-])|healthz|readyz|metrics|docs(?:\/openapi\.json)?)/g);
  return [...new Set([...found].map((match) => match[0]))].sort();
}
