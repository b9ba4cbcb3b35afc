import { describe, expect, it } from 'vitest';
import { ACME_RESOURCE_PATHS } from '../../../src/acme/router.js';
import { adminRouter, type AdminRoutesOptions } from '../../../src/api/admin-routes.js';

/** The paths the admin router really registers (its handlers are never called here). */
const ADMIN_ROUTE_PATHS = [
  ...new Set(
    adminRouter({ issuance: {}, queries: {}, tokens: {} } as unknown as AdminRoutesOptions)
      .stack.filter((layer) => layer.methods.length > 0)
      .map((layer) => String(layer.path)),
  ),
];
import { renderDocsPage } from '../../../src/api/docs-page.js';
import { openApiDocument } from '../../../src/api/openapi-document.js';
import { readmeServerPaths } from '../../support/readme-paths.js';

describe('/docs describes every endpoint', () => {
  const doc = openApiDocument('1.0.0');
  const documented = Object.keys(doc.paths);
  const page = renderDocsPage(doc);

  it('README names the endpoints (the list is really read)', () => {
    expect(readmeServerPaths()).toEqual(expect.arrayContaining(['/api/v1/csr', '/api/v1/ca/root.crt', '/acme/directory', '/crl.pem', '/healthz', '/readyz']));
  });

  it.each(readmeServerPaths())('README path %s is in the OpenAPI document and on the page', (path) => {
    expect(documented).toContain(path);
    expect(page).toContain(`<code>${path}</code>`);
  });

  it.each(ACME_RESOURCE_PATHS.map((path) => path.replace(/:(\w+)/g, '{$1}')))('ACME resource %s is documented', (path) => {
    expect(documented).toContain(path);
  });

  it('the admin router is really read', () => expect(ADMIN_ROUTE_PATHS).toEqual(expect.arrayContaining(['/api/v1/admin/requests/:id/approve', '/api/v1/admin/audit'])));

  it.each(ADMIN_ROUTE_PATHS.map((path) => path.replace(/:(\w+)/g, '{$1}')))('admin route %s is documented, with the bearer token or the client certificate', (path) => {
    expect(documented).toContain(path);
    for (const operation of Object.values(doc.paths[path]!)) expect(operation.security).toEqual([{ adminToken: [] }, { adminClientCertificate: [] }]);
  });

  it('the client certificate is the OpenAPI 3.1 mutualTLS scheme, beside the bearer scheme', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes).toMatchObject({ adminToken: { type: 'http', scheme: 'bearer' }, adminClientCertificate: { type: 'mutualTLS' } });
  });

  it('documents no path the server does not answer', () => {
    const served = [
      '/api/v1/csr', '/api/v1/csr/{id}', '/api/v1/ca', '/api/v1/ca/root.crt', '/crl', '/crl.pem',
      '/healthz', '/readyz', '/metrics', '/docs', '/docs/openapi.json',
      ...ACME_RESOURCE_PATHS.map((path) => path.replace(/:(\w+)/g, '{$1}')),
      ...ADMIN_ROUTE_PATHS.map((path) => path.replace(/:(\w+)/g, '{$1}')),
    ];
    expect(documented.filter((path) => !served.includes(path))).toEqual([]);
  });
});
