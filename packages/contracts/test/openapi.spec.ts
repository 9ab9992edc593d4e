import { z } from 'zod';
import { buildOpenApi, routes, RunPlan, ErrorEnvelope } from '../src';

describe('buildOpenApi', () => {
  const doc = buildOpenApi('1.2.3');

  it('is an OpenAPI 3.1 document that survives JSON', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('1.2.3');
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('documents every route once, with a unique operationId', () => {
    const ops = Object.entries(doc.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).map(([method, op]) => ({ path, method, id: (op as { operationId: string }).operationId })),
    );
    expect(ops).toHaveLength(Object.keys(routes).length);
    expect(new Set(ops.map((o) => o.id)).size).toBe(ops.length);
    for (const route of Object.values(routes)) {
      expect(doc.paths[route.path]?.[route.method]).toBeDefined();
    }
  });

  it("documents the query form of routes whose body may come as query parameters (the predecessor's clients)", () => {
    const issue = doc.paths['/runs/{run_id}/phases/{phase_id}/record_issue']!['post'] as {
      parameters: { name: string; in: string; required: boolean }[];
      requestBody: { required: boolean };
    };
    const query = issue.parameters.filter((p) => p.in === 'query');
    expect(query.map((p) => p.name)).toEqual(expect.arrayContaining(['issue_key', 'severity', 'source', 'category', 'evidence_refs']));
    expect(query.every((p) => !p.required)).toBe(true);
    expect(issue.requestBody.required).toBe(false);
    const decide = doc.paths['/approval/{request_id}/decide']!['post'] as { requestBody: { required: boolean } };
    expect(decide.requestBody.required).toBe(true);
  });

  it('declares every path parameter of a templated path', () => {
    for (const [path, byMethod] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]);
      for (const op of Object.values(byMethod) as { parameters: { name: string; in: string }[] }[]) {
        expect(op.parameters.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(names);
      }
    }
  });

  it('resolves every $ref to a component', () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const name = ref.replace(/^"\$ref":"#\/components\/schemas\//, '').replace(/"$/, '');
      expect(doc.components.schemas[name]).toBeDefined();
    }
  });

  it('describes request bodies as strict, as the server enforces them', () => {
    const plan = doc.components.schemas['StartRunRequest'] as { additionalProperties: boolean; required: string[] };
    expect(plan.additionalProperties).toBe(false);
    expect(plan.required).toEqual(['run']); // empty tiers and phases are the predecessor's defaults
  });

  it('makes request fields with defaults optional (input view) and the error envelope strict', () => {
    const run = (doc.components.schemas['StartRunRequest'] as { properties: { run: { required: string[] } } }).properties.run;
    expect(run.required.sort()).toEqual(['run_id']); // repo absent = externally driven
    expect(z.toJSONSchema(ErrorEnvelope)).toMatchObject({ additionalProperties: false });
    expect(RunPlan).toBeDefined();
  });
});
