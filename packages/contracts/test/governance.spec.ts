import { GovernanceRequestBody } from '../src';

const body = (path: string) => ({ run_id: 'r', phase_id: 'p', requested_paths: ['docs/ok.md', path], justification: 'j' });

describe('GovernanceRequestBody requested_paths', () => {
  // Real names in real repositories: Next.js routes and route groups, SvelteKit, npm scopes,
  // cookiecutter templates. Pattern-looking ones are the server's to rate, not the schema's to refuse.
  it.each(['app/[slug]/page.tsx', 'app/(auth)/login/page.tsx', 'src/routes/+page.svelte', 'packages/@scope/pkg/README.md', 'docs/wow!.md', 'docs/c++.md', '{{cookiecutter.project_slug}}/.env.example', '!important.md'])(
    'accepts the literal name %j',
    (path) => {
      expect(GovernanceRequestBody.safeParse(body(path)).success).toBe(true);
    },
  );

  it('refuses an empty path and an empty list, naming the field', () => {
    const empty = GovernanceRequestBody.safeParse(body(''));
    expect(empty.error?.issues.map((i) => i.path)).toEqual([['requested_paths', 1]]);
    const none = GovernanceRequestBody.safeParse({ ...body('x'), requested_paths: [] });
    expect(none.error?.issues.map((i) => i.path)).toEqual([['requested_paths']]);
  });
});
