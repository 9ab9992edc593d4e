import { artifactPathProblem, buildOpenApi, LEASE_TOKEN_HEADER, routes, type RouteSpec } from '../src';

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
