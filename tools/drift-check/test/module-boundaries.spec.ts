import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyRepository } from './repo-copy';

jest.setTimeout(120_000);

interface EslintResult {
  filePath: string;
  messages: { ruleId: string | null; message: string }[];
}

/**
 * SPEC §2's import table is enforced by ESLint (Nx module boundaries with tags, plus a ban on
 * Node's HTTP modules outside apps/server). Each case plants a forbidden import in a copy of the
 * repository and expects lint to name it.
 */
describe('module boundary lint rules', () => {
  // [file, text, dependency the planter also declares (so only the table can object), rule, message]
  const cases: [string, string, string | null, string, RegExp][] = [
    ['packages/db/src/planted.ts', "export { checkPatch } from '@autopack/governed-apply';\n", '@autopack/governed-apply', '@nx/enforce-module-boundaries', /scope:db.*can only depend on.*scope:contracts/],
    ['packages/contracts/src/planted.ts', "export { createLogger } from '@autopack/logging';\n", '@autopack/logging', '@nx/enforce-module-boundaries', /scope:contracts" cannot depend on any libs/],
    ['apps/executor/src/planted.ts', "export { createDatabase } from '@autopack/db';\n", '@autopack/db', '@nx/enforce-module-boundaries', /scope:executor.*can only depend on/],
    // executor-client is still an empty shell (no entry point): until it has one, the import is
    // refused as unresolvable before the tag rule gets to it.
    ['apps/server/src/planted.ts', "export * from '@autopack/executor-client';\n", '@autopack/executor-client', '@nx/enforce-module-boundaries', /scope:server.*can only depend on|unresolvable/],
    ['packages/auth/src/planted.ts', "import express from 'express';\nexport const e = express;\n", 'express', '@nx/enforce-module-boundaries', /scope:auth" is not allowed to import "express"/],
    ['packages/governed-apply/src/planted.ts', "import { createServer } from 'node:http';\nexport const s = createServer;\n", null, 'no-restricted-imports', /Only apps\/server may use an HTTP server module/],
    ['packages/db/src/planted-transitive.ts', "export { Router } from 'express';\n", null, '@nx/enforce-module-boundaries', /Transitive or unresolvable dependencies are not allowed/],
  ];

  it('reject every planted import that breaks the table', () => {
    const copy = copyRepository();
    try {
      for (const [file, text, dependency] of cases) {
        copy.plant(file, text);
        if (dependency) declareDependency(copy.root, file.split('/').slice(0, 2).join('/'), dependency);
      }
      const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0' };
      // The boundary rule reads Nx's project graph, which `nx show projects` writes.
      execFileSync(process.execPath, [join(copy.root, 'node_modules/nx/dist/bin/nx.js'), 'show', 'projects'], { cwd: copy.root, env, stdio: 'pipe' });
      let output = '';
      try {
        execFileSync(process.execPath, [join(copy.root, 'node_modules/eslint/bin/eslint.js'), '-f', 'json', ...cases.map((c) => c[0])], {
          cwd: copy.root,
          env,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } catch (err) {
        output = (err as { stdout: string }).stdout;
      }
      const results = JSON.parse(output) as EslintResult[];
      for (const [file, , , rule, message] of cases) {
        const found = results.find((r) => r.filePath === join(copy.root, file))?.messages ?? [];
        expect({ file, messages: found }).toEqual({
          file,
          messages: expect.arrayContaining([expect.objectContaining({ ruleId: rule, message: expect.stringMatching(message) })]),
        });
      }
    } finally {
      copy.remove();
    }
  });
});

function declareDependency(root: string, project: string, dependency: string): void {
  const path = join(root, project, 'package.json');
  const pkg = JSON.parse(readFileSync(path, 'utf8')) as { dependencies?: Record<string, string> };
  pkg.dependencies = { ...pkg.dependencies, [dependency]: '*' };
  writeFileSync(path, JSON.stringify(pkg, null, 2));
}
