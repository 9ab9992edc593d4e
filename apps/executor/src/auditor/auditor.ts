import type { AuditorResult } from '@autopack/contracts';
import type { TestDelta } from '../ci/test-delta';
import type { PhaseTask, UsageRecord } from '../task';

export interface AuditRequest {
  task: PhaseTask;
  /** The applied change as a unified diff. */
  diff: string;
  delta: TestDelta | null;
  signal: AbortSignal;
}

export type AuditVerdict = Omit<AuditorResult, 'run_id' | 'phase_id' | 'provider' | 'model'>;

export type AuditOutcome =
  | { ok: true; verdict: AuditVerdict; usage: UsageRecord[] }
  | { ok: false; message: string; usage: UsageRecord[] };

/** Reviews an applied, tested change: approve, or revise/escalate with issues (SPEC §5 step 7). */
export interface Auditor {
  audit(request: AuditRequest): Promise<AuditOutcome>;
}
