import { describe, expect, it } from 'vitest';
import { renderDocsPage } from '../../../src/api/docs-page.js';
import { openApiDocument } from '../../../src/api/openapi-document.js';

describe('OpenAPI document and docs page', () => {
  const doc = openApiDocument('1.2.3');

  it('describes both SMSGate operations with their status codes', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths['/api/v1/csr']?.post?.responses ?? {})).toEqual(['202', '400', '413', '415', '429', '500']);
    expect(Object.keys(doc.paths['/api/v1/csr/{id}']?.get?.responses ?? {})).toEqual(['200', '400', '404', '500']);
    expect(doc.components.schemas['PostCSRRequest']?.required).toEqual(['content']);
  });

  it('every $ref points at a schema that exists', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((match) => match[1]!);
    expect(refs.length).toBeGreaterThan(5);
    for (const name of refs) expect(doc.components.schemas).toHaveProperty(name);
  });

  it('renders a self-contained page: no script, no external resource', () => {
    const html = renderDocsPage(doc);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(html).toContain('id="submitCsr"');
    expect(html).toContain('id="getCsrStatus"');
    expect(html).toContain('version 1.2.3');
  });

  it('escapes text from the document', () => {
    const html = renderDocsPage({ ...doc, info: { ...doc.info, title: '<img src=x onerror=alert(1)>' } });
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
