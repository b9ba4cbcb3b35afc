import type { OpenApiDocument, OperationObject, ResponseObject, SchemaObject } from './openapi-document.js';

/**
 * The OpenAPI document rendered as one self-contained HTML page: no script, no CDN, inline CSS only,
 * so it works offline and under a strict Content-Security-Policy.
 */
export function renderDocsPage(doc: OpenApiDocument): string {
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escape(doc.info.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escape(doc.info.title)}</h1><p class="version">version ${escape(doc.info.version)} · OpenAPI ${doc.openapi} · <a href="/docs/openapi.json">openapi.json</a></p>
<p>${inline(doc.info.description)}</p></header>
<nav aria-label="Operations"><h2>Operations</h2><ul>${operations
    .map(({ path, method, operation }) => `<li><a href="#${operation.operationId}"><span class="method ${method}">${method.toUpperCase()}</span> <code>${escape(path)}</code> — ${escape(operation.summary)}</a></li>`)
    .join('')}</ul></nav>
<main>
${doc.tags
  .map(
    (tag) => `<section class="tag"><h2>${escape(tag.name)}</h2><p>${escape(tag.description)}</p>
${operations
  .filter(({ operation }) => operation.tags.includes(tag.name))
  .map(({ path, method, operation }) => renderOperation(path, method, operation))
  .join('\n')}</section>`,
  )
  .join('\n')}
<section class="tag"><h2>Schemas</h2>${Object.entries(doc.components.schemas)
    .map(([name, schema]) => `<article class="schema" id="schema-${escape(name)}"><h3>${escape(name)}</h3>${renderSchema(schema)}</article>`)
    .join('\n')}</section>
</main>
</body>
</html>
`;
}

function renderOperation(path: string, method: string, operation: OperationObject): string {
  const body = operation.requestBody?.content['application/json']?.schema;
  return `<details class="operation" id="${operation.operationId}" open>
<summary><span class="method ${method}">${method.toUpperCase()}</span> <code>${escape(path)}</code> <span class="summary">${escape(operation.summary)}</span></summary>
<p>${inline(operation.description)}</p>
${operation.parameters?.length ? `<h4>Parameters</h4><table><tr><th>Name</th><th>In</th><th>Type</th><th>Description</th></tr>${operation.parameters.map((p) => `<tr><td><code>${escape(p.name)}</code></td><td>${p.in}</td><td>${typeOf(p.schema)}</td><td>${escape(p.description)}</td></tr>`).join('')}</table>` : ''}
${operation.security?.length ? '<p><small>Needs an admin bearer token (<code>Authorization: Bearer TOKEN</code>) or a client certificate from <code>--admin-client-ca</code>.</small></p>' : ''}
${body ? `<h4>Request body <small>application/json</small></h4>${renderSchema(body)}` : ''}
<h4>Responses</h4><table><tr><th>Status</th><th>Description</th><th>Body</th></tr>${Object.entries(operation.responses)
    .map(([status, response]) => renderResponse(status, response))
    .join('')}</table>
</details>`;
}

function renderResponse(status: string, response: ResponseObject): string {
  const schema = response.content?.['application/json']?.schema;
  const headers = Object.keys(response.headers ?? {}).map((name) => ` <small>header <code>${escape(name)}</code></small>`).join('');
  return `<tr><td class="status s${status[0]}">${escape(status)}</td><td>${escape(response.description)}${headers}</td><td>${schema ? typeOf(schema) : '—'}</td></tr>`;
}

function renderSchema(schema: SchemaObject): string {
  if (schema.$ref) return `<p>${typeOf(schema)}</p>`;
  if (!schema.properties) return `<p>${typeOf(schema)}${schema.description ? ` — ${inline(schema.description)}` : ''}</p>`;
  const required = new Set(schema.required ?? []);
  const rows = Object.entries(schema.properties).map(
    ([name, property]) =>
      `<tr><td><code>${escape(name)}</code>${required.has(name) ? ' <span class="required">required</span>' : ''}</td><td>${typeOf(property)}${constraints(property)}</td><td>${inline(property.description ?? '')}${property.properties ? renderSchema(property) : ''}</td></tr>`,
  );
  return `<table><tr><th>Field</th><th>Type</th><th>Description</th></tr>${rows.join('')}</table>`;
}

function typeOf(schema: SchemaObject): string {
  if (schema.$ref) {
    const name = schema.$ref.split('/').at(-1) ?? '';
    return `<a href="#schema-${escape(name)}">${escape(name)}</a>`;
  }
  if (schema.enum) return schema.enum.map((value) => `<code>${escape(value)}</code>`).join(' | ');
  if (schema.type === 'object' && schema.additionalProperties) return `map of ${typeOf(schema.additionalProperties)}`;
  return escape(schema.type ?? 'any');
}

function constraints(schema: SchemaObject): string {
  const notes = [
    schema.default !== undefined ? `default <code>${escape(schema.default)}</code>` : '',
    schema.maxLength !== undefined ? `≤ ${schema.maxLength} chars` : '',
    schema.maxProperties !== undefined ? `≤ ${schema.maxProperties} entries` : '',
  ].filter(Boolean);
  return notes.length ? `<br><small>${notes.join(', ')}</small>` : '';
}

/** Escapes, then renders `code` spans (the only markup descriptions use). */
function inline(text: string): string {
  return escape(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:960px;padding:1rem 1.5rem;color:#1f2328}
h1{margin-bottom:.2rem}h2{border-bottom:1px solid #d0d7de;padding-bottom:.3rem;margin-top:2rem}
.version{color:#59636e;margin-top:0}code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f6f8fa;padding:.1em .3em;border-radius:4px}
nav ul{list-style:none;padding:0}nav li{margin:.2rem 0}a{color:#0969da;text-decoration:none}a:hover{text-decoration:underline}
.method{display:inline-block;min-width:3.6em;text-align:center;font-weight:600;font-size:12px;color:#fff;border-radius:4px;padding:.1em .4em}
.method.get{background:#1f6feb}.method.post{background:#1a7f37}.method.head{background:#6e7781}
details.operation{border:1px solid #d0d7de;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}
details.operation summary{cursor:pointer;font-size:16px}.summary{color:#59636e;margin-left:.5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.required{color:#cf222e;font-size:12px}.status{font-weight:600}.s2{color:#1a7f37}.s4{color:#9a6700}.s5{color:#cf222e}
`;
