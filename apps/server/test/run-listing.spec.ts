import { testDialects } from '@autopack/db/testing';
import { expectEnvelope, makePlan, setState, startTestApp, type TestApp } from './support/test-app';

interface Summary {
  run_id: string;
  phase_counts: Record<string, number>;
  current_phase: { phase_id: string; state: string } | null;
}

for (const dialect of testDialects()) {
  describe(`GET /runs and events paging on ${dialect.name}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(dialect);
      for (let i = 0; i < 12; i++) await t.http.post('/runs/start').send(makePlan(`run-${String(i).padStart(2, '0')}`, { perTier: 3 })).expect(201);
      await setState(t, 'run-05', 't0-p0', 'EXECUTING').expect(200);
      await setState(t, 'run-05', 't0-p0', 'COMPLETE').expect(200);
      await setState(t, 'run-05', 't0-p1', 'EXECUTING').expect(200);
    });
    afterAll(() => t.database.close());

    it('lists newest first with phase counts and the current phase', async () => {
      const page = (await t.http.get('/runs?limit=100')).body;
      expect(page.runs.map((r: Summary) => r.run_id)).toEqual(Array.from({ length: 12 }, (_, i) => `run-${String(11 - i).padStart(2, '0')}`));
      const five = page.runs.find((r: Summary) => r.run_id === 'run-05');
      expect(five.phase_counts).toMatchObject({ total: 3, QUEUED: 1, EXECUTING: 1, COMPLETE: 1 });
      expect(five.current_phase).toEqual({ phase_id: 't0-p1', tier_id: 't0', name: 'Phase 0.1', state: 'EXECUTING' });
      expect(page.runs[0].current_phase).toMatchObject({ phase_id: 't0-p0', state: 'QUEUED' });
    });

    it('pages with a cursor that is stable while new runs arrive', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let added = 0;
      do {
        const res: { body: { runs: Summary[]; next_cursor: string | null } } = await t.http
          .get('/runs')
          .query({ limit: 5, ...(cursor ? { cursor } : {}) });
        seen.push(...res.body.runs.map((r) => r.run_id));
        cursor = res.body.next_cursor;
        // Runs submitted between pages land before the cursor and never shift it.
        await t.http.post('/runs/start').send(makePlan(`late-${added++}`)).expect(201);
      } while (cursor);
      const original = seen.filter((id) => id.startsWith('run-'));
      expect(original).toHaveLength(12);
      expect(new Set(seen).size).toBe(seen.length);
    });

    it('pages with offset and limit, and filters by state', async () => {
      const all = (await t.http.get('/runs?limit=100')).body.runs.map((r: Summary) => r.run_id);
      const second = (await t.http.get('/runs?limit=4&offset=4')).body;
      expect(second.runs.map((r: Summary) => r.run_id)).toEqual(all.slice(4, 8));
      expect(second.offset).toBe(4);
      const executing = (await t.http.get('/runs?state=PHASE_EXECUTION')).body.runs.map((r: Summary) => r.run_id);
      expect(executing).toEqual(['run-05']);
    });

    it.each([
      ['limit=0', 'query.limit'],
      ['limit=101', 'query.limit'],
      ['limit=ten', 'query.limit'],
      ['limit=0x10', 'query.limit'],
      ['limit=1e1', 'query.limit'],
      ['limit=%2B5', 'query.limit'],
      ['offset=1.0', 'query.offset'],
      ['limit=007', 'query.limit'],
      ['offset=-1', 'query.offset'],
      ['state=RUNNING', 'query.state'],
      ['cursor=bm9wZQ', 'query.cursor'],
      ['offset=1&cursor=abc', 'query.cursor'],
      ['sort=asc', 'query.sort'],
    ])('rejects ?%s with 400 naming %s', async (qs, path) => {
      const res = await t.http.get(`/runs?${qs}`);
      expect(res.status).toBe(400);
      expectEnvelope(res.body, 'validation_failed');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    });

    it('pages events by id with after and limit', async () => {
      const all = (await t.http.get('/runs/run-05/events')).body.events;
      expect(all.length).toBeGreaterThan(4);
      const first = (await t.http.get('/runs/run-05/events?limit=2')).body;
      expect(first.events).toEqual(all.slice(0, 2));
      expect(first.next_after).toBe(all[1].id);
      const rest = (await t.http.get(`/runs/run-05/events?after=${first.next_after}&limit=500`)).body;
      expect(rest.events).toEqual(all.slice(2));
      expect(rest.next_after).toBeNull();
      expect((await t.http.get('/runs/run-05/events?limit=501')).status).toBe(400);
      expect((await t.http.get('/runs/run-05/events?after=-3')).status).toBe(400);
      // One spelling per number: hex, exponents and padding would each name the same page.
      for (const qs of ['after=0x1', 'after=%201', 'limit=2e0']) expect((await t.http.get(`/runs/run-05/events?${qs}`)).status).toBe(400);
    });
  });
}
