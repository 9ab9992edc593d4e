import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createBlankPostgresDatabase } from '@autopack/db/testing';
import { AutopackClient } from '@autopack/executor-client';

/**
 * N executors claim and complete phases with no work in between, over HTTP, against the built
 * server (`node apps/server/dist/main.js`) on a fresh PostgreSQL database per N. Measures the
 * work-distribution path alone: phases per second and the latency of a claim that got a phase.
 */
const { values } = parseArgs({
  options: {
    'database-url': { type: 'string', default: process.env['BENCH_DATABASE_URL'] ?? process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    claimers: { type: 'string', default: '1,4,16' },
    runs: { type: 'string', default: '100' },
    phases: { type: 'string', default: '4' },
  },
});
const adminUrl = values['database-url']!;
const claimerCounts = values.claimers!.split(',').map(Number);
const RUNS = Number(values.runs);
const PHASES = Number(values.phases);

const SERVER_MAIN = join(dirname(require.resolve('@autopack/server')), 'main.js');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function startServer(databaseUrl: string): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn(process.execPath, [SERVER_MAIN], {
    env: {
      PATH: process.env['PATH'] ?? '',
      DATABASE_URL: databaseUrl,
      AUTOPACK_DB_BOOTSTRAP: '1',
      AUTOPACK_PORT: String(port),
      AUTOPACK_LOG_LEVEL: 'warn',
      // The bench measures work distribution, not the limiter: one address makes every request.
      AUTOPACK_RATE_LIMIT_WRITES_PER_MINUTE: '1000000',
      AUTOPACK_RATE_LIMIT_READS_PER_MINUTE: '1000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    const ready = await fetch(`${url}/ready`).then((r) => r.ok, () => false);
    if (ready) return { url, proc };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill();
  throw new Error('the server did not become ready');
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function measure(claimers: number) {
  const database = await createBlankPostgresDatabase(adminUrl);
  const server = await startServer(database.url);
  try {
    const ops = new AutopackClient({ baseUrl: server.url });
    for (let r = 0; r < RUNS; r++) {
      await ops.startRun({
        run: { run_id: `bench-${r}`, repo: { path: '/srv/repos/bench' } },
        tiers: [{ tier_id: 't0', tier_index: 0, name: 'T' }],
        phases: Array.from({ length: PHASES }, (_, i) => ({ phase_id: `p${i}`, tier_id: 't0', phase_index: i, name: `P${i}` })),
      });
    }
    const total = RUNS * PHASES;
    const latencies: number[] = [];
    let completed = 0;
    let empty = 0;
    const worker = async (n: number) => {
      const client = new AutopackClient({ baseUrl: server.url });
      while (completed < total) {
        const started = performance.now();
        const lease = await client.claim({ executor_id: `bench-${n}`, wait_seconds: 1 });
        if (!lease) {
          empty += 1;
          continue;
        }
        latencies.push(performance.now() - started);
        await lease.updateStatus({ state: 'COMPLETE' });
        completed += 1;
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: claimers }, (_, n) => worker(n)));
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return { claimers, phases: total, seconds, perSecond: total / seconds, p50: percentile(latencies, 50), p95: percentile(latencies, 95), empty };
  } finally {
    server.proc.kill('SIGTERM');
    await new Promise((resolve) => server.proc.once('exit', resolve));
    await database.drop();
  }
}

async function main() {
  console.log(`claims bench: ${RUNS} runs × ${PHASES} phases per N, claim → COMPLETE, PostgreSQL, node ${process.version}`);
  console.log('claimers  phases  seconds  phases/s  claim p50 ms  claim p95 ms  empty claims');
  for (const n of claimerCounts) {
    const r = await measure(n);
    console.log(
      [String(r.claimers).padStart(8), String(r.phases).padStart(7), r.seconds.toFixed(2).padStart(8), r.perSecond.toFixed(1).padStart(9), r.p50.toFixed(1).padStart(13), r.p95.toFixed(1).padStart(13), String(r.empty).padStart(13)].join(' '),
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
