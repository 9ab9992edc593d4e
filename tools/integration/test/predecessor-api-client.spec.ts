import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AutopackClient } from '@autopack/executor-client';
import { testDialects } from '@autopack/db/testing';
import { startServer, type RunningServer } from './support/server';

/**
 * The predecessor's own executor API client (hshk99/Autopack src/autopack/supervisor/api_client.py,
 * Python with `requests`) driving our server. Its code is not in this repository: point
 * AUTOPACK_PREDECESSOR_API_CLIENT at a copy of that file to run this suite.
 */
const clientPath = process.env['AUTOPACK_PREDECESSOR_API_CLIENT'];
const python = process.env['AUTOPACK_PYTHON'] ?? 'python3';
const driver = join(__dirname, 'predecessor/drive_run.py');

if (!clientPath || !existsSync(clientPath)) {
  console.warn(
    '[predecessor-api-client] SKIPPED: set AUTOPACK_PREDECESSOR_API_CLIENT to the path of the predecessor\'s src/autopack/supervisor/api_client.py (python3 with requests needed) to drive this server with it',
  );
}
const maybe = clientPath && existsSync(clientPath) ? describe : describe.skip;

for (const dialect of testDialects()) {
  maybe(`the predecessor's api_client.py against our server on ${dialect.name}`, () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer(dialect);
    });
    afterAll(() => server.stop());

    it('drives an externally driven run from RUN_CREATED to DONE_SUCCESS with its calls and bodies', async () => {
      const ops = new AutopackClient({ baseUrl: server.url, apiKey: server.keys.operator });
      await ops.startRun({
        run: { run_id: 'py-run', token_cap: null },
        tiers: [{ tier_id: 'T1', tier_index: 0, name: 'One' }],
        phases: [
          { phase_id: 'P1', tier_id: 'T1', phase_index: 0, name: 'first', scope: { paths: ['src/'], goal: 'first change' } },
          { phase_id: 'P2', tier_id: 'T1', phase_index: 1, name: 'second', scope: null },
        ],
      });
      const { stdout } = await promisify(execFile)(python, [driver, clientPath!, server.url, server.keys.operator, 'py-run'], { timeout: 60_000 }).catch(
        (err: { stdout?: string; stderr?: string; message: string }) => {
          throw new Error(`driver failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
        },
      );
      const steps = stdout.trim().split('\n').map((line) => JSON.parse(line) as { step: string });
      expect(steps.map((s) => s.step)).toEqual([
        'health',
        'run',
        ...['P1', 'P2'].flatMap(() => ['executing', 'builder_result', 'auditor_result', 'complete']),
        'finished',
        'approval_refused',
      ]);
      expect(await ops.getRun('py-run')).toMatchObject({ state: 'DONE_SUCCESS', tokens_used: 1200 });
    });
  });
}
