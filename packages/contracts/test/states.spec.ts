import { PHASE_STATES, PHASE_TRANSITIONS, RUN_STATES, RUN_TRANSITIONS, canRunTransition, canTransition, isRunFinished } from '../src';

// The table of SPEC §4.1, written out independently of the implementation.
const SPEC_PHASE_TABLE: Record<string, string[]> = {
  QUEUED: ['EXECUTING', 'SKIPPED', 'CANCELLED'],
  EXECUTING: ['GATE', 'CI_RUNNING', 'COMPLETE', 'FAILED', 'BLOCKED', 'QUEUED', 'CANCELLED'],
  GATE: ['CI_RUNNING', 'EXECUTING', 'COMPLETE', 'FAILED', 'BLOCKED', 'QUEUED', 'CANCELLED'],
  CI_RUNNING: ['GATE', 'COMPLETE', 'FAILED', 'BLOCKED', 'QUEUED', 'CANCELLED'],
  BLOCKED: ['QUEUED', 'FAILED', 'CANCELLED'],
  FAILED: ['QUEUED'],
  COMPLETE: [],
  SKIPPED: [],
  CANCELLED: [],
};

describe('phase transitions', () => {
  const pairs = PHASE_STATES.flatMap((from) => PHASE_STATES.map((to) => [from, to] as const));
  it.each(pairs)('%s → %s follows the SPEC table', (from, to) => {
    expect(canTransition(from, to)).toBe(SPEC_PHASE_TABLE[from]!.includes(to));
  });
  it('has an entry for every state', () => {
    expect(Object.keys(PHASE_TRANSITIONS).sort()).toEqual([...PHASE_STATES].sort());
  });
});

describe('run transitions', () => {
  it('finishes once: DONE_SUCCESS and CANCELLED are final', () => {
    expect(RUN_TRANSITIONS.DONE_SUCCESS).toEqual([]);
    expect(RUN_TRANSITIONS.CANCELLED).toEqual([]);
  });
  it.each(RUN_STATES.filter((s) => s.startsWith('DONE_FAILED')))('%s goes back to PHASE_EXECUTION only (operator retry)', (state) => {
    expect(RUN_TRANSITIONS[state]).toEqual(['PHASE_EXECUTION']);
    expect(isRunFinished(state)).toBe(true);
  });
  it('never goes back to RUN_CREATED', () => {
    for (const from of RUN_STATES) expect(canRunTransition(from, 'RUN_CREATED')).toBe(false);
  });
});
