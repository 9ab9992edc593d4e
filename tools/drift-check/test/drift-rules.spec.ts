import { checkRepository, formatViolation, type Violation } from '../src';
import { copyRepository, REPO_ROOT } from './repo-copy';

const summary = (vs: Violation[]) => vs.map(formatViolation);

describe('drift rules', () => {
  it('pass on the repository itself', () => {
    expect(summary(checkRepository(REPO_ROOT))).toEqual([]);
  });

  describe('on a copy with a planted violation', () => {
    let copy: ReturnType<typeof copyRepository>;
    beforeEach(() => {
      copy = copyRepository();
    });
    afterEach(() => copy.remove());

    const planted: [string, string, string, string, RegExp][] = [
      ['express imported by a package', 'packages/db/src/sneaky.ts', "import express from 'express';\n", 'http-only-in-server', /imports "express"/],
      ['node:http imported by the executor', 'apps/executor/src/main.ts', "import { createServer } from 'node:http';\n", 'http-only-in-server', /imports "node:http"/],
      ['https required by a package', 'packages/auth/src/x.js', "const https = require('https');\n", 'http-only-in-server', /imports "https"/],
      ['.listen( outside the server', 'packages/executor-client/src/x.ts', 'server.listen(8080);\n', 'http-only-in-server', /calls \.listen\(/],
      ['a .bak file', 'apps/server/src/app.ts.bak', 'old\n', 'no-stray-files', /stray backup/],
      ['a .orig file', 'docs/notes.md.orig', 'old\n', 'no-stray-files', /stray backup/],
      ['an editor backup~', 'README.md~', 'old\n', 'no-stray-files', /stray backup/],
      ['the predecessor start command in docs', 'docs/howto.md', 'Run `uvicorn autopack.main:app --port 8000`.\n', 'one-start-command', /uvicorn autopack\.main:app/],
      ['a source start command in docs', 'docs/howto.md', '    npx ts-node apps/server/src/main.ts\n', 'one-start-command', /npx ts-node apps\/server\/src\/main\.ts/],
      ['an invented npm script in the README', 'README.md', '\nStart with `npm run dev`.\n', 'one-start-command', /npm run dev/],
      ['an nx serve target in docs', 'docs/howto.md', 'or `npx nx run @autopack/server:serve`\n', 'one-start-command', /nx run @autopack\/server:serve/],
      ['a home directory in docs', 'docs/setup.md', 'Clone into /home/alice/autopack\n', 'no-workstation-paths', /\/home\/alice\//],
      ['a macOS user path in docs', 'docs/setup.md', 'see /Users/bob/src\n', 'no-workstation-paths', /\/Users\/bob/],
      ['a Windows drive path in docs', 'docs/setup.md', 'C:\\dev\\autopack\n', 'no-workstation-paths', /C:\\/],
      ['a route the server does not serve', 'docs/api.md', 'Poll `GET /runs/{run_id}/status` until done.\n', 'docs-name-real-routes', /GET \/runs\/\{run_id\}\/status/],
      ['a route with the wrong method', 'README.md', '\nCancel with `DELETE /runs/{run_id}`.\n', 'docs-name-real-routes', /DELETE \/runs/],
      ["the predecessor's route", 'docs/howto.md', 'POST /api/runs/{run_id}/phases/{phase_id}/builder_result\n', 'docs-name-real-routes', /POST \/api\/runs/],
      ['one bad alternative', 'docs/howto.md', 'Use `POST /admin/pause|stop`.\n', 'docs-name-real-routes', /pause\|stop/],
    ];

    it.each(planted)('fail on %s', (_name, file, text, rule, message) => {
      copy.plant(file, text);
      const found = checkRepository(copy.root);
      expect(found).toEqual([expect.objectContaining({ rule, file, message: expect.stringMatching(message) })]);
    });

    it('allow the canonical start commands, executor commands, and servers in tests and tools', () => {
      copy.plant('docs/ok.md', '`npm start` or `node apps/server/dist/main.js migrate`; workers: `node apps/executor/dist/main.js --once`; `npx nx run @autopack/server:test`\n');
      copy.plant('docs/routes.md', '`GET /runs/hello/progress`, `POST /admin/pause|resume`, `GET /runs/:run_id/events?after=3`, `POST /runs/{id}/phases/{pid}/retry`, `…/skip`\n');
      copy.plant('apps/executor/test/fake-llm.ts', "import { createServer } from 'node:http';\ncreateServer().listen(0);\n");
      copy.plant('tools/bench/x/src/load.ts', "import http from 'node:http';\n");
      expect(summary(checkRepository(copy.root))).toEqual([]);
    });
  });
});
