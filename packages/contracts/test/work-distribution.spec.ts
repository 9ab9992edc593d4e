import { artifactPathProblem, buildOpenApi, LEASE_TOKEN_HEADER, MAX_NEWLY_FAILING, routes, UpdateStatusRequest, type RouteSpec } from '../src';

describe('artifact paths', () => {
  it.each([
    ['t0-p0/1/accepted.patch', null],
    ['reports/junit.xml', null],
    ['a+b=c@d_e-f.txt', null],
    ['', /1 to 512/],
    ['x'.repeat(513), /1 to 512/],
    ['../etc/passwd', /"\.\." segments/],
    ['a/./b', /"\.\." segments/],
    ['a//b', /empty segments/],
    ['a/', /empty segments/],
    ['/etc/passwd', /relative/],
    ['C:/Windows', /drive letter/],
    ['c:x', /drive letter/],
    ['a\\b', /backslash/],
    ['%2e%2e/x', /"%"/],
    ['a/%252e', /"%"/],
    ['a\u0000b', /control/],
    ['a b', /segments may only contain/],
    ['~/x', /segments may only contain/],
    [Array.from({ length: 17 }, () => 'a').join('/'), /16 segments/],
  ])('%j → %s', (path, expected) => {
    const problem = artifactPathProblem(path);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });
});

describe('work-distribution routes in the OpenAPI document', () => {
  const doc = buildOpenApi();
  const params = (spec: RouteSpec) => (doc.paths[spec.path]![spec.method] as { parameters: { name: string; in: string }[] }).parameters;

  it('documents X-Lease-Token on exactly the fenced routes and Idempotency-Key on every write', () => {
    for (const spec of Object.values(routes) as RouteSpec[]) {
      const headers = params(spec).filter((p) => p.in === 'header').map((p) => p.name);
      expect([spec.operationId, headers.includes(LEASE_TOKEN_HEADER)]).toEqual([spec.operationId, spec.fenced === true]);
      expect([spec.operationId, headers.includes('Idempotency-Key')]).toEqual([spec.operationId, spec.method !== 'get']);
    }
  });

  it('describes the 204 of a claim without a body and artifact files as bytes', () => {
    expect(doc.paths['/executors/claim']!['post']).toMatchObject({ responses: { 204: { description: expect.any(String) } } });
    expect((doc.paths['/executors/claim']!['post'] as { responses: Record<string, object> }).responses['204']).not.toHaveProperty('content');
    expect(doc.paths['/runs/{run_id}/artifacts/file']!['get']).toMatchObject({
      responses: { 200: { content: { 'application/octet-stream': { schema: { type: 'string' } } } } },
    });
  });
});

describe('newly failing tests travel as a field', () => {
  const doc = buildOpenApi() as unknown as { components: { schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }> } };
  it('accepts newly_failing only with state FAILED, within its bounds', () => {
    expect(UpdateStatusRequest.safeParse({ state: 'FAILED', failure_reason: 'ci_fail', newly_failing: ['suite::a', 'suite::b'] }).success).toBe(true);
    const issues = (body: unknown) => UpdateStatusRequest.safeParse(body).error?.issues.map((i) => i.path.join('.'));
    expect(issues({ state: 'GATE', newly_failing: ['suite::a'] })).toEqual(['newly_failing']);
    expect(issues({ state: 'FAILED', failure_reason: 'ci_fail', newly_failing: [''] })).toEqual(['newly_failing.0']);
    expect(issues({ state: 'FAILED', failure_reason: 'ci_fail', newly_failing: Array.from({ length: MAX_NEWLY_FAILING + 1 }, (_, i) => `t${i}`) })).toEqual(['newly_failing']);
  });

  it('is an optional request field and a required claim field in the OpenAPI document', () => {
    type Obj = { properties: Record<string, unknown>; required?: string[] };
    const { schemas } = doc.components;
    const request = schemas['UpdatePhaseStatusRequest']!;
    const prior = (schemas['ClaimPhaseResponse200']!.properties['prior_attempts'] as { items: Obj }).items;
    expect(request.properties['newly_failing']).toMatchObject({ type: 'array', maxItems: MAX_NEWLY_FAILING });
    expect(request.required).not.toContain('newly_failing');
    expect(prior.properties['newly_failing']).toMatchObject({ type: 'array' });
    expect(prior.required).toContain('newly_failing');
  });
});
