import { testDialects } from '@autopack/db/testing';
import { expectEnvelope, startTestApp, type TestApp } from '../support/test-app';
import { EXECUTOR, OPERATOR, VIEWER } from '../support/work';

/** Plan files in the predecessor's format (its docs/examples/examples/*.json): no tiers, phase goals. */
const minimalPlanFile = {
  run_id: 'import-minimal',
  description: 'Example minimal plan',
  phases: [
    { phase_id: 'add-auth-backend', goal: 'Add JWT authentication with login and logout endpoints', description: 'Implement JWT-based authentication' },
    { phase_id: 'add-user-api', goal: 'Create REST API endpoints for user management', description: 'Add CRUD endpoints' },
    { phase_id: 'add-tests', goal: 'Write tests for authentication endpoints' },
  ],
};

const scopedPlanFile = {
  run_id: 'import-scoped',
  display_name: 'Output-size predictor',
  goal: 'Replace the file-count heuristic with deliverable-based token estimation',
  phases: [
    {
      phase_id: 'predictor',
      display_name: 'Phase 1: predictor',
      complexity: 'medium',
      task_category: 'backend',
      scope: {
        deliverables: { code: ['src/token_estimator.py'], tests: ['tests/test_token_estimator.py'] },
        protected_paths: ['src/executor.py', 'src/frontend/'],
        read_only_context: ['docs/TOKEN_BUDGET.md'],
      },
    },
  ],
};

for (const dialect of testDialects()) {
  describe(`predecessor plan files (POST /runs/import) on ${dialect.name}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(dialect);
    });
    afterAll(() => t.database.close());

    const importPlan = (body: object) => t.http.post('/runs/import').set(OPERATOR).send(body);

    it('starts the equivalent run: one tier, phases in file order, goals kept for the builder, and says what it mapped', async () => {
      const res = await importPlan(minimalPlanFile);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ id: 'import-minimal', state: 'RUN_CREATED', goal_anchor: 'Example minimal plan', repo: null });
      expect(res.body.tiers).toEqual([expect.objectContaining({ tier_id: 'T1', tier_index: 0, name: 'import-minimal' })]);
      expect(res.body.phases.map((p: { phase_id: string; phase_index: number; name: string; description: string }) => [p.phase_id, p.phase_index, p.name, p.description])).toEqual([
        ['add-auth-backend', 0, 'add-auth-backend', 'Implement JWT-based authentication'],
        ['add-user-api', 1, 'add-user-api', 'Add CRUD endpoints'],
        ['add-tests', 2, 'add-tests', 'Write tests for authentication endpoints'],
      ]);
      expect(res.body.phases[0].scope.goal).toBe('Add JWT authentication with login and logout endpoints');
      expect(res.body.mapping).toEqual(
        expect.arrayContaining([
          { path: 'description', message: expect.stringMatching(/run\.goal_anchor/) },
          { path: 'phases', message: expect.stringMatching(/one tier "T1"/) },
          { path: 'phases.0.goal', message: 'phases.0.scope.goal' },
          { path: 'repo', message: expect.stringMatching(/externally driven/) },
        ]),
      );
    });

    it('reads scope keys with their meaning: deliverables by category, protected_paths, read_only_context', async () => {
      const res = await importPlan(scopedPlanFile);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ goal_anchor: scopedPlanFile.goal, tiers: [expect.objectContaining({ name: 'Output-size predictor' })] });
      expect(res.body.phases[0]).toMatchObject({
        name: 'Phase 1: predictor',
        complexity: 'medium',
        task_category: 'backend',
        scope: {
          deliverables: ['src/token_estimator.py', 'tests/test_token_estimator.py'],
          protected_paths: ['src/executor.py', 'src/frontend/'],
          read_only_context: ['docs/TOKEN_BUDGET.md'],
        },
      });
      expect(res.body.warnings).toEqual([{ path: 'run.repo', message: expect.stringMatching(/externally driven/) }]);
    });

    it('runs an imported plan to DONE_SUCCESS through update_status, never through an executor', async () => {
      for (const phase of minimalPlanFile.phases) {
        expect((await t.http.post('/executors/claim').set(EXECUTOR).send({ executor_id: 'ex-import' })).status).toBe(204);
        await t.http.post(`/runs/import-minimal/phases/${phase.phase_id}/update_status`).set(OPERATOR).send({ state: 'EXECUTING' }).expect(200);
        await t.http.post(`/runs/import-minimal/phases/${phase.phase_id}/update_status`).set(OPERATOR).send({ state: 'COMPLETE' }).expect(200);
      }
      expect((await t.http.get('/runs/import-minimal').set(VIEWER)).body).toMatchObject({ state: 'DONE_SUCCESS', promotion_eligible_to_main: 'true' });
    });

    it('refuses a file with an unknown field, a duplicate phase or an existing run_id, naming the problem', async () => {
      const unknown = await importPlan({ ...minimalPlanFile, run_id: 'import-x', owner: 'me' });
      expect(unknown.status).toBe(400);
      expectEnvelope(unknown.body, 'validation_failed');
      expect(unknown.body.detail).toMatch(/body\.owner/);
      const duplicate = await importPlan({ run_id: 'import-dup', phases: [{ phase_id: 'a' }, { phase_id: 'a' }] });
      expect(duplicate.status).toBe(400);
      expect(duplicate.body.error.details).toEqual([{ path: 'body.phases.1.phase_id', message: 'duplicate phase_id "a"' }]);
      const again = await importPlan(minimalPlanFile);
      expect(again.status).toBe(409);
      expectEnvelope(again.body, 'run_exists');
    });

    it('is an operator action: a viewer or an executor may not import', async () => {
      expect((await t.http.post('/runs/import').set(VIEWER).send({ run_id: 'import-v', phases: [] })).status).toBe(403);
      expect((await t.http.post('/runs/import').set(EXECUTOR).send({ run_id: 'import-e', phases: [] })).status).toBe(403);
    });
  });
}
