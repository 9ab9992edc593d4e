import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { applyPatch, assessRisk, checkPatch } from '@autopack/governed-apply';
import { governancePaths } from '../src/pipeline/governance-paths';
import { makeRepo } from './support/git-repo';

const edit = [{ path: 'docs/workflows/x.yml', mode: 'modify' as const, content: 'on: [push, pull_request]\n' }];

describe('governance request paths', () => {
  it('names the changed file and the protected name it is reached by, and granting what was named lifts it', () => {
    const repo = makeRepo({ 'docs/workflows/x.yml': 'on: push\n' });
    try {
      // `.github -> docs`: the workflow file looks like documentation by its own name.
      symlinkSync('docs', join(repo.dir, '.github'));
      const refused = checkPatch({ operations: edit }, { repo: repo.dir });
      const paths = governancePaths(refused.violations);
      expect(paths).toEqual(['docs/workflows/x.yml', '.github/workflows/x.yml']);
      // Rated on the CI name, a request is never low risk (and never auto-approved).
      expect(assessRisk(['docs/workflows/x.yml'], 1)).toBe('low');
      expect(assessRisk(paths, 1)).not.toBe('low');
      // The approval grants exactly the requested paths: the retry applies.
      expect(applyPatch({ operations: edit }, { repo: repo.dir, grants: paths }).outcome).toBe('applied');
    } finally {
      repo.remove();
    }
  });

  it('names a plainly protected file once', () => {
    expect(governancePaths([
      { code: 'protected_path', path: '.env', detail: 'protected path' },
      { code: 'protected_path', path: '.env', detail: 'protected path (rename source)' },
    ])).toEqual(['.env']);
  });
});
