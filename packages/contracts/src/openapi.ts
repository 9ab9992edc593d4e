import { z } from 'zod';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_PATTERN, LEASE_TOKEN_HEADER } from './claims';
import { ErrorEnvelope } from './errors';
import { routes, type RouteSpec } from './routes';

type JsonSchema = Record<string, unknown>;
export type OpenApiDocument = {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
  security: Record<string, string[]>[];
};

// An empty registry: schemas are inlined rather than split into $defs by ids in zod's global registry.
const noIds = z.registry<{ id?: string }>();

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
    reused: 'inline',
    metadata: noIds,
  }) as JsonSchema;
  return rest;
}

const leaseHeader = {
  name: LEASE_TOKEN_HEADER,
  in: 'header',
  required: false,
  description: 'The lease token of the claim. Required from executors; operators and admins may omit it (SPEC §4.3).',
  schema: { type: 'string' },
};
const idempotencyHeader = {
  name: IDEMPOTENCY_KEY_HEADER,
  in: 'header',
  required: false,
  description: 'Repeating a request with the same key (per caller and route) answers what the first one answered.',
  schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN.source },
};

function parameters(spec: RouteSpec): unknown[] {
  const out: unknown[] = [];
  const pathShape = spec.params?.shape ?? {};
  for (const [name, schema] of Object.entries(pathShape)) {
    out.push({ name, in: 'path', required: true, schema: jsonSchema(schema as z.ZodType, 'input') });
  }
  if (spec.query) {
    const query = jsonSchema(spec.query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      out.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
    }
  }
  if (spec.body && spec.bodyFromQuery) {
    // The same fields may come as query parameters instead of the body (never both).
    const body = jsonSchema(spec.body, 'input') as { properties?: Record<string, JsonSchema> };
    for (const [name, schema] of Object.entries(body.properties ?? {})) {
      out.push({ name, in: 'query', required: false, description: 'Instead of the JSON body (not both)', schema });
    }
  }
  if (spec.fenced) out.push(leaseHeader);
  if (spec.method !== 'get') out.push(idempotencyHeader);
  return out;
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The OpenAPI 3.1 document of every route in `routes`, generated from the same zod schemas. */
export function buildOpenApi(version = '0.1.0'): OpenApiDocument {
  const schemas: Record<string, JsonSchema> = { ErrorEnvelope: jsonSchema(ErrorEnvelope, 'output') };
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const paths: OpenApiDocument['paths'] = {};

  for (const spec of Object.values(routes) as RouteSpec[]) {
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(spec.responses)) {
      if (response.empty) {
        responses[status] = { description: response.description };
        continue;
      }
      if (response.contentType) {
        const binary = { type: 'string', contentMediaType: response.contentType };
        responses[status] = { description: response.description, content: { [response.contentType]: { schema: binary } } };
        continue;
      }
      let schema: unknown = ref('ErrorEnvelope');
      if (response.schema) {
        const name = `${pascal(spec.operationId)}Response${status}`;
        schemas[name] = jsonSchema(response.schema, 'output');
        schema = ref(name);
      }
      responses[status] = { description: response.description, content: { 'application/json': { schema } } };
    }
    if (!spec.public) {
      responses['401'] ??= { description: '`unauthenticated`: no or invalid credentials', content: { 'application/json': { schema: ref('ErrorEnvelope') } } };
      responses['403'] ??= { description: '`forbidden`: the role may not call this route', content: { 'application/json': { schema: ref('ErrorEnvelope') } } };
      responses['429'] ??= { description: '`rate_limited`: see Retry-After', content: { 'application/json': { schema: ref('ErrorEnvelope') } } };
    }
    responses['500'] ??= {
      description: '`internal_error`: no details are disclosed; quote the correlation id',
      content: { 'application/json': { schema: ref('ErrorEnvelope') } },
    };
    const operation: Record<string, unknown> = {
      ...(spec.public ? { security: [] } : {}),
      operationId: spec.operationId,
      summary: spec.summary,
      tags: [spec.tag],
      parameters: parameters(spec),
      responses,
    };
    if (spec.body) {
      const name = `${pascal(spec.operationId)}Request`;
      schemas[name] = jsonSchema(spec.body, 'input');
      operation['requestBody'] = { required: !spec.bodyFromQuery, content: { 'application/json': { schema: ref(name) } } };
    }
    paths[spec.path] = { ...paths[spec.path], [spec.method]: operation };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Autopack API',
      version,
      description: 'Control plane for autonomous coding runs. Generated from @autopack/contracts.',
    },
    paths,
    components: {
      schemas,
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'apk_<id>_<secret>: machines (executors, tools)' },
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'RS256 access token from /api/auth/login: humans' },
      },
    },
    security: [{ apiKey: [] }, { bearer: [] }],
  };
}
