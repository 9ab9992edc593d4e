import { buildOpenApi, GovernanceRequestBody } from '../src';

const body = (path: string) => ({ run_id: 'r', phase_id: 'p', requested_paths: ['docs/ok.md', path], justification: 'j' });

describe('GovernanceRequestBody requested_paths', () => {
  it.each(['*', '?env', '**/*.txt', 'docs/*.md', '!docs/a.md', '!(x)/**/*.md', 'docs/a.md|.env', '{docs/a.md,.env}'])(
    'refuses the glob %j, naming it and its index',
    (path) => {
      const parsed = GovernanceRequestBody.safeParse(body(path));
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues).toEqual([
        expect.objectContaining({ path: ['requested_paths', 1], message: `${JSON.stringify(path)} is not a literal repository path: paths are not globs, so * ? | { } and a leading ! are refused` }),
      ]);
    },
  );

  // Real names in real repositories: Next.js routes and route groups, SvelteKit, npm scopes.
  it.each(['app/[slug]/page.tsx', 'app/(auth)/login/page.tsx', 'src/routes/+page.svelte', 'packages/@scope/pkg/README.md', 'docs/wow!.md', 'docs/c++.md'])(
    'accepts the literal name %j',
    (path) => {
      expect(GovernanceRequestBody.safeParse(body(path)).success).toBe(true);
    },
  );

  it('documents the rule in OpenAPI as a pattern, so clients can check it too', () => {
    const schema = buildOpenApi('0.0.0').components.schemas['CreateGovernanceRequestRequest'] as { properties: { requested_paths: { items: { pattern?: string } } } };
    expect(schema.properties.requested_paths.items.pattern).toBe('^(?!!)[^*?|{}]*$');
  });
});
