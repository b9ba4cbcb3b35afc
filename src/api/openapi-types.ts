/** The subset of OpenAPI 3.0 the served document uses, so the docs page can render it with types. */
export interface SchemaObject {
  readonly type?: 'object' | 'string' | 'integer' | 'array' | 'boolean';
  readonly items?: SchemaObject;
  readonly format?: string;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, SchemaObject>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: SchemaObject;
  readonly enum?: readonly string[];
  readonly default?: string;
  readonly maxLength?: number;
  readonly maxProperties?: number;
  readonly example?: unknown;
  readonly $ref?: string;
}

export interface ResponseObject {
  readonly description: string;
  readonly headers?: Readonly<Record<string, { readonly description: string; readonly schema: SchemaObject }>>;
  readonly content?: Readonly<Record<string, { readonly schema: SchemaObject }>>;
}

export interface OperationObject {
  readonly operationId: string;
  readonly summary: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly parameters?: ReadonlyArray<{ readonly name: string; readonly in: 'path' | 'query'; readonly required: boolean; readonly description: string; readonly schema: SchemaObject }>;
  /** Security requirements (the admin API's bearer token). */
  readonly security?: ReadonlyArray<Readonly<Record<string, readonly string[]>>>;
  readonly requestBody?: { readonly required: boolean; readonly content: Readonly<Record<string, { readonly schema: SchemaObject }>> };
  readonly responses: Readonly<Record<string, ResponseObject>>;
}

export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { readonly title: string; readonly version: string; readonly description: string; readonly license: { readonly name: string } };
  readonly servers: ReadonlyArray<{ readonly url: string }>;
  readonly tags: ReadonlyArray<{ readonly name: string; readonly description: string }>;
  readonly paths: Readonly<Record<string, Readonly<Partial<Record<'get' | 'head' | 'post', OperationObject>>>>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, SchemaObject>>;
    readonly securitySchemes?: Readonly<Record<string, SecuritySchemeObject>>;
  };
}

/** The schemes the admin API accepts: a bearer token, or a TLS client certificate (OpenAPI 3.1 mutualTLS). */
export type SecuritySchemeObject = { readonly type: 'http'; readonly scheme: 'bearer'; readonly description: string } | { readonly type: 'mutualTLS'; readonly description: string };
