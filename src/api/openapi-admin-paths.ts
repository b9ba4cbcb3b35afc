import type { OpenApiDocument, OperationObject, ResponseObject, SchemaObject } from './openapi-types.js';
import { ADMIN_REVOCATION_REASONS, MAX_LIMIT, DEFAULT_LIMIT } from './admin-query.js';

const ref = (name: string): SchemaObject => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: SchemaObject) => ({ 'application/json': { schema } });
const error = (description: string): ResponseObject => ({ description, content: json(ref('ErrorResponse')) });
const isoTime = (description: string): SchemaObject => ({ type: 'string', format: 'date-time', description });
const ipList: SchemaObject = { type: 'array', items: { type: 'string' }, description: 'IPv4 addresses.' };

type Parameter = NonNullable<OperationObject['parameters']>[number];
const query = (name: string, description: string, schema: SchemaObject = { type: 'string' }): Parameter => ({ name, in: 'query', required: false, description, schema });
const path = (name: string, description: string): Parameter => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
const LIMIT = query('limit', `At most this many items, newest first (1–${MAX_LIMIT}, default ${DEFAULT_LIMIT}).`, { type: 'integer' });
const REQUEST_ID = path('id', 'The request_id (REQ_…).');
const SERIAL = path('serial', 'The serial number, hexadecimal.');

export const ADMIN_SCHEMAS: Record<string, SchemaObject> = {
  AdminRequest: {
    type: 'object',
    properties: {
      request_id: { type: 'string' },
      type: ref('CSRType'),
      status: ref('CSRStatus'),
      awaiting_approval: { type: 'boolean', description: 'Pending and waiting for an administrator (`--rest-approval requester|manual`); the signer leaves it alone.' },
      ips: ipList,
      requester: { type: 'string', description: 'The client address the request came from (after `--trusted-proxies`).' },
      metadata: { type: 'object', additionalProperties: { type: 'string' } },
      created_at: isoTime('Submitted.'),
      updated_at: isoTime('Last changed.'),
      serial_number: { type: 'string', description: 'Once approved and signed.' },
      reason: { type: 'string', description: 'Once denied: why (what the SMSGate GET shows as `reason`).' },
      decided_by: { type: 'string', description: 'The administrator who approved or denied it: "token name (token id)".' },
    },
  },
  AdminCertificate: {
    type: 'object',
    properties: {
      serial_number: { type: 'string' },
      door: { type: 'string', enum: ['rest', 'acme', 'kubernetes'], description: 'The front door it was issued through.' },
      type: ref('CSRType'),
      ips: ipList,
      requester: { type: 'string' },
      issued_at: isoTime('Issued.'),
      not_before: isoTime('Valid from.'),
      not_after: isoTime('Valid until.'),
      state: { type: 'string', enum: ['valid', 'expired', 'revoked'] },
      request_id: { type: 'string', description: 'The REST request, ACME order or Kubernetes object it answers.' },
      revoked_at: isoTime('Once revoked.'),
      revocation_reason: { type: 'string', description: 'RFC 5280 CRLReason name, once revoked.' },
      certificate: { type: 'string', description: 'Leaf and chain, PEM: only from GET /api/v1/admin/certificates/{serial}.' },
    },
  },
  AdminAuditEntry: {
    type: 'object',
    properties: {
      sequence: { type: 'integer', description: 'Increasing; the cursor of `before`.' },
      at: isoTime('When.'),
      event: { type: 'string', enum: ['submitted', 'refused', 'approved', 'denied', 'issued', 'revoked'] },
      door: { type: 'string', enum: ['rest', 'acme', 'kubernetes'] },
      requester: { type: 'string' },
      request_id: { type: 'string' },
      serial_number: { type: 'string' },
      ips: ipList,
      detail: { type: 'string', description: 'A refusal or denial reason, why a request waits, a revocation reason.' },
      actor: { type: 'string', description: 'The administrator who decided, when one did: "token name (token id)", or "certificate subject (certificate sha256:first 16 hex digits of its fingerprint)".' },
    },
  },
};

function adminOperation(operation: Omit<OperationObject, 'tags' | 'security'>): OperationObject {
  return {
    ...operation,
    tags: ['Admin'],
    // Either credential (security requirements are alternatives); the client certificate only where serve has --admin-client-ca.
    security: [{ adminToken: [] }, { adminClientCertificate: [] }],
    responses: {
      ...operation.responses,
      '401': error(
        'No credential; a malformed, unknown, mistyped or revoked bearer token (WWW-Authenticate: Bearer); or a refused client certificate (not from --admin-client-ca, no clientAuth, expired), even beside a valid token.',
      ),
    },
  };
}

const items = (schema: string, extra: Readonly<Record<string, SchemaObject>> = {}): SchemaObject => ({ type: 'object', properties: { items: { type: 'array', items: ref(schema) }, ...extra } });
const one = (name: string, schema: string): SchemaObject => ({ type: 'object', properties: { [name]: ref(schema) } });
const REASONS = ADMIN_REVOCATION_REASONS.map((reason) => reason.name);

/** The admin API (src/api/admin-routes.ts). */
export const ADMIN_PATHS: OpenApiDocument['paths'] = {
  '/api/v1/admin/whoami': {
    get: adminOperation({
      operationId: 'adminWhoami',
      summary: 'Who the credential is',
      description: 'A sign-in check. For a token: its id and name; for a client certificate: its subject, SHA-256 fingerprint, serial and end. When both are valid, the token names the caller. `actor` is how decisions are audited.',
      responses: {
        '200': {
          description: 'OK',
          content: json({
            type: 'object',
            required: ['method', 'name', 'actor'],
            properties: {
              method: { type: 'string', enum: ['bearer-token', 'client-certificate'] },
              name: { type: 'string', description: "The token's name, or the certificate's subject." },
              actor: { type: 'string' },
              token_id: { type: 'string' },
              subject: { type: 'string' },
              fingerprint_sha256: { type: 'string' },
              serial_number: { type: 'string' },
              not_after: { type: 'string', format: 'date-time' },
            },
          }),
        },
      },
    }),
  },
  '/api/v1/admin/requests': {
    get: adminOperation({
      operationId: 'adminListRequests',
      summary: 'List REST requests',
      description: 'Newest first. `awaiting_approval=true` lists what waits for a decision.',
      parameters: [query('status', 'pending, approved or denied.'), query('awaiting_approval', 'true or false.'), query('ip', 'Only requests naming this IPv4 address.'), LIMIT],
      responses: { '200': { description: 'OK', content: json(items('AdminRequest')) }, '400': error('A bad filter value (the message names it).') },
    }),
  },
  '/api/v1/admin/requests/{id}': {
    get: adminOperation({ operationId: 'adminGetRequest', summary: 'Get a REST request', description: 'One request.', parameters: [REQUEST_ID], responses: { '200': { description: 'OK', content: json(one('request', 'AdminRequest')) }, '404': error('Unknown request.') } }),
  },
  '/api/v1/admin/requests/{id}/approve': {
    post: adminOperation({
      operationId: 'adminApproveRequest',
      summary: 'Approve a waiting request',
      description: 'The request goes to the signer; it stays `pending` (no longer awaiting approval) until signed moments later, then `approved`. Audited with the token as actor. No body.',
      parameters: [REQUEST_ID],
      responses: { '200': { description: 'Approved', content: json(one('request', 'AdminRequest')) }, '404': error('Unknown request.'), '409': error('The request is not waiting for an administrator.') },
    }),
  },
  '/api/v1/admin/requests/{id}/deny': {
    post: adminOperation({
      operationId: 'adminDenyRequest',
      summary: 'Deny a pending request',
      description: 'The request becomes `denied`; the SMSGate GET shows the reason. Audited with the token as actor.',
      parameters: [REQUEST_ID],
      requestBody: { required: true, content: json({ type: 'object', required: ['reason'], properties: { reason: { type: 'string', maxLength: 500, description: 'Shown to the client.' } } }) },
      responses: { '200': { description: 'Denied', content: json(one('request', 'AdminRequest')) }, '400': error('No reason.'), '404': error('Unknown request.'), '409': error('The request is no longer pending.') },
    }),
  },
  '/api/v1/admin/certificates': {
    get: adminOperation({
      operationId: 'adminListCertificates',
      summary: 'List certificates',
      description: 'Certificates of every door, newest issued first.',
      parameters: [query('ip', 'Only certificates naming this IPv4 address.'), query('serial', 'Serial numbers starting with these hex digits.'), query('door', 'rest, acme or kubernetes.'), query('state', 'valid, expired or revoked.'), LIMIT],
      responses: { '200': { description: 'OK', content: json(items('AdminCertificate')) }, '400': error('A bad filter value.') },
    }),
  },
  '/api/v1/admin/certificates/{serial}': {
    get: adminOperation({ operationId: 'adminGetCertificate', summary: 'Get a certificate', description: 'One certificate, with its PEM chain.', parameters: [SERIAL], responses: { '200': { description: 'OK', content: json(one('certificate', 'AdminCertificate')) }, '404': error('Unknown serial.') } }),
  },
  '/api/v1/admin/certificates/{serial}/revoke': {
    post: adminOperation({
      operationId: 'adminRevokeCertificate',
      summary: 'Revoke a certificate',
      description: 'Recorded in the ledger and the audit log (actor: the token); the CRL is signed again with it.',
      parameters: [SERIAL],
      requestBody: { required: true, content: json({ type: 'object', properties: { reason: { type: 'string', enum: REASONS, default: 'unspecified', description: 'RFC 5280 CRLReason name (or its code).' } } }) },
      responses: { '200': { description: 'Revoked', content: json(one('certificate', 'AdminCertificate')) }, '400': error('Unknown reason.'), '404': error('Unknown serial.'), '409': error('Already revoked.') },
    }),
  },
  '/api/v1/admin/audit': {
    get: adminOperation({
      operationId: 'adminAuditLog',
      summary: 'Read the audit log',
      description: 'Newest first; `next_before` (present when the page is full) is the `before` of the next page.',
      parameters: [query('request_id', 'Only this request.'), query('serial_number', 'Only this certificate.'), query('event', 'submitted, refused, approved, denied, issued or revoked.'), query('before', 'Entries with a smaller sequence.', { type: 'integer' }), LIMIT],
      responses: { '200': { description: 'OK', content: json(items('AdminAuditEntry', { next_before: { type: 'integer' } })) }, '400': error('A bad filter value.') },
    }),
  },
};
