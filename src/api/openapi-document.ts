import { ACME_PATHS } from './openapi-acme-paths.js';
import { ADMIN_PATHS, ADMIN_SCHEMAS } from './openapi-admin-paths.js';
import type { OpenApiDocument, ResponseObject, SchemaObject } from './openapi-types.js';
import { STATUS_MESSAGES } from './wire-format.js';
import { POST_CSR_LIMITS } from './post-csr-body.js';

export type { OpenApiDocument, OperationObject, ResponseObject, SchemaObject } from './openapi-types.js';

const ref = (name: string): SchemaObject => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: SchemaObject) => ({ 'application/json': { schema } });
const error = (description: string): ResponseObject => ({ description, content: json(ref('ErrorResponse')) });

const STATUS_DESCRIPTION = Object.entries(STATUS_MESSAGES)
  .map(([status, message]) => `\`${status}\`: "${message}"`)
  .join('; ');

const schemas: Record<string, SchemaObject> = {
  CSRType: { type: 'string', enum: ['webhook', 'private_server'], description: 'The kind of certificate; it is encoded in the first byte of the serial number.' },
  CSRStatus: { type: 'string', enum: ['pending', 'approved', 'denied'], description: `Where the request stands. Messages: ${STATUS_DESCRIPTION}.` },
  PostCSRRequest: {
    type: 'object',
    required: ['content'],
    properties: {
      type: { ...ref('CSRType'), default: 'webhook', description: 'Certificate type; "webhook" when absent.' },
      content: {
        type: 'string',
        maxLength: POST_CSR_LIMITS.contentLength,
        description:
          'One PEM certificate signing request: exactly one private IPv4 address in the subjectAltName and the same address as the common name; RSA 2048/3072/4096 or ECDSA P-256/P-384 key.',
      },
      metadata: {
        type: 'object',
        maxProperties: POST_CSR_LIMITS.metadataEntries,
        additionalProperties: { type: 'string', maxLength: POST_CSR_LIMITS.metadataValueLength },
        description: `Free-form labels: at most ${POST_CSR_LIMITS.metadataEntries} entries, keys up to ${POST_CSR_LIMITS.metadataKeyLength} and values up to ${POST_CSR_LIMITS.metadataValueLength} characters.`,
      },
    },
  },
  CSRStatusResponse: {
    type: 'object',
    properties: {
      request_id: { type: 'string', description: 'Opaque id of the request, e.g. REQ_… (30 characters); use it to poll.', example: 'REQ_MZXW6YTBOI3DSNBVGQ2DQMJXGA' },
      type: ref('CSRType'),
      status: ref('CSRStatus'),
      message: { type: 'string', description: 'Human-readable description of the status.' },
      certificate: { type: 'string', description: 'Only when `approved`: the leaf certificate followed by the intermediate, PEM.' },
      reason: { type: 'string', description: 'Only when `denied`: why (an extension of the SMSGate format).' },
    },
  },
  ErrorResponse: {
    type: 'object',
    properties: {
      error: {
        type: 'object',
        properties: {
          message: { type: 'string', description: 'What was wrong; for a policy refusal, which IP or field and why.' },
          code: { type: 'integer', description: 'The HTTP status code.' },
        },
      },
    },
  },
  TrustBundle: {
    type: 'object',
    properties: {
      root: { type: 'string', description: 'The root certificate (PEM): install it as a trust anchor.' },
      chain: { type: 'string', description: 'The intermediate certificate(s) (PEM) that follow each leaf.' },
    },
  },
};

/** The two SMSGate operations. */
const CSR_PATHS: OpenApiDocument['paths'] = {
  '/api/v1/csr': {
    post: {
      operationId: 'submitCsr',
      summary: 'Submit CSR',
      description:
        'Stores the CSR as `pending` and answers 202 with its request id; a background worker signs it moments later. Submitting the same CSR again while it is pending returns the existing request. Each client address may POST once per rate-limit period (default 1 per minute).',
      tags: ['CSR'],
      requestBody: { required: true, content: json(ref('PostCSRRequest')) },
      responses: {
        '202': { description: 'Accepted: the request is pending.', content: json(ref('CSRStatusResponse')) },
        '400': error('Invalid body, or the CSR was refused by the policy (the message names the IP or field and why).'),
        '413': error(`Body over ${POST_CSR_LIMITS.bodyBytes} bytes, or content over ${POST_CSR_LIMITS.contentLength} characters.`),
        '415': error('Content-Type is not application/json.'),
        '429': {
          ...error('Rate limited.'),
          headers: { 'Retry-After': { description: 'Seconds until the next POST is accepted.', schema: { type: 'integer' } } },
        },
        '500': error('Internal error (no details are disclosed).'),
      },
    },
  },
  '/api/v1/csr/{id}': {
    get: {
      operationId: 'getCsrStatus',
      summary: 'Get CSR Status',
      description: 'The request and, once `approved`, the certificate chain.',
      tags: ['CSR'],
      parameters: [{ name: 'id', in: 'path', required: true, description: 'The request_id returned by POST.', schema: { type: 'string' } }],
      responses: {
        '200': { description: 'OK', content: json(ref('CSRStatusResponse')) },
        '400': error('Malformed request id.'),
        '404': error('Unknown request id.'),
        '500': error('Internal error.'),
      },
    },
  },
};

/** What clients should trust. */
const CA_PATHS: OpenApiDocument['paths'] = {
  '/api/v1/ca': {
    get: {
      operationId: 'getTrustBundle',
      summary: 'Get the CA certificates',
      description: 'The root to trust and the intermediate chain, as PEM. `/api/v1/ca/root.crt` serves the root alone.',
      tags: ['CA'],
      responses: { '200': { description: 'OK', content: json(ref('TrustBundle')) } },
    },
  },
  '/api/v1/ca/root.crt': {
    get: {
      operationId: 'getRootCertificate',
      summary: 'Get the root certificate',
      description: 'The root certificate alone, as PEM (`curl -o root.crt`): what clients install as a trust anchor.',
      tags: ['CA'],
      responses: { '200': { description: 'OK', content: { 'application/x-pem-file': { schema: { type: 'string', description: 'PEM CERTIFICATE' } } } } },
    },
  },
  '/crl': {
    get: {
      operationId: 'getCrl',
      summary: 'Get the certificate revocation list',
      description:
        'The RFC 5280 v2 CRL of the CA that signs leaves, as DER: every revoked certificate that has not expired, with its reason. Signed again on each revocation and after half its validity (`--crl-validity`, default 24h). `--crl-url` puts this address into new leaves as their CRL Distribution Point. `/crl.pem` serves the same CRL as PEM.',
      tags: ['CA'],
      responses: {
        '200': { description: 'OK', content: { 'application/pkix-crl': { schema: { type: 'string', description: 'DER-encoded CertificateList' } } } },
        '304': { description: 'Not modified: the client holds this CRL (If-None-Match / If-Modified-Since).' },
      },
    },
  },
  '/crl.pem': {
    get: {
      operationId: 'getCrlPem',
      summary: 'Get the certificate revocation list as PEM',
      description: 'The same CRL as `/crl`, PEM-encoded (X509 CRL), for `openssl crl` and `openssl verify -CRLfile`.',
      tags: ['CA'],
      responses: {
        '200': { description: 'OK', content: { 'application/x-pem-file': { schema: { type: 'string', description: 'PEM X509 CRL' } } } },
        '304': { description: 'Not modified.' },
      },
    },
  },
};

/** Health, readiness, metrics. */
const OPERATIONS_PATHS: OpenApiDocument['paths'] = {
  '/healthz': {
    get: { operationId: 'health', summary: 'Liveness', description: 'Answers 200 while the process serves HTTP.', tags: ['Operations'], responses: { '200': { description: 'Alive' } } },
  },
  '/readyz': {
    get: {
      operationId: 'readiness',
      summary: 'Readiness',
      description: 'Answers 200 when the store, the CA and the signing worker are ready, 503 otherwise.',
      tags: ['Operations'],
      responses: { '200': { description: 'Ready' }, '503': { description: 'Not ready' } },
    },
  },
  '/metrics': {
    get: { operationId: 'metrics', summary: 'Prometheus metrics', description: 'Series prefixed `smsgate_ca_`. Not on this port, which answers 404: only on the plain-HTTP listener `--metrics-listen HOST:PORT` gives (off by default; the Helm chart turns it on).', tags: ['Operations'], responses: { '200': { description: 'Text exposition format' } } },
  },
  '/docs': {
    get: { operationId: 'docs', summary: 'This page', description: 'The API description as a self-contained HTML page.', tags: ['Operations'], responses: { '200': { description: 'HTML' } } },
  },
  '/docs/openapi.json': {
    get: { operationId: 'openApiDocument', summary: 'OpenAPI document', description: 'This description as OpenAPI 3.0 JSON.', tags: ['Operations'], responses: { '200': { description: 'OpenAPI 3.0.3 JSON' } } },
  },
};

export function openApiDocument(version: string): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: {
      title: 'smsgate-ca Certificate Authority API',
      version,
      description:
        'A self-hosted, wire-compatible implementation of the SMSGate CA API: submit a CSR for a private IPv4 address, poll until it is approved, download the certificate. Certificates are valid for one year.',
      license: { name: 'Apache 2.0' },
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'CSR', description: 'Certificate signing requests' },
      { name: 'CA', description: 'What clients should trust' },
      { name: 'Admin', description: 'The admin API: decide waiting requests, revoke, read the audit log (a bearer token from `smsgate-ca admin token create`, or a client certificate from `--admin-client-ca`)' },
      { name: 'ACME', description: 'The ACME server (RFC 8555 with RFC 8738 IP identifiers) under /acme' },
      { name: 'Operations', description: 'Health, readiness, metrics and this description' },
    ],
    paths: { ...CSR_PATHS, ...CA_PATHS, ...ADMIN_PATHS, ...ACME_PATHS, ...OPERATIONS_PATHS },
    components: {
      schemas: { ...schemas, ...ADMIN_SCHEMAS },
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'An admin token from `smsgate-ca admin token create`.' },
        adminClientCertificate: {
          type: 'mutualTLS',
          description:
            'A TLS client certificate issued by a CA of `serve --admin-client-ca` (never this CA itself), with the clientAuth extended key usage, inside its validity. Changes (POST) authenticated by it alone must be sent as application/json.',
        },
      },
    },
  };
}
