import { z } from 'zod';
import { Count, Identifier, JsonObject, queryInteger, Timestamp } from './common';

export const RUN_EVENT_TYPES = [
  'run_created',
  'run_state_changed',
  'tier_state_changed',
  'phase_state_changed',
  'builder_result',
  'auditor_result',
  'issue_recorded',
  'phase_claimed',
  'lease_released',
  'lease_expired',
  'budget_exhausted',
  'run_cancelled',
  'run_timed_out',
  'approval_requested',
  'approval_decided',
  'artifact_stored',
  'base_commit_pinned',
] as const;
export const RunEventType = z.enum(RUN_EVENT_TYPES);
export type RunEventType = z.infer<typeof RunEventType>;

export const RunEvent = z.strictObject({
  id: Count.describe('Increases with every event; per run, ids are in commit order'),
  run_id: Identifier,
  tier_id: Identifier.nullable(),
  phase_id: Identifier.nullable(),
  type: RunEventType,
  actor: z.string().describe('Who caused it: "system" or the principal, e.g. "operator:ops"'),
  payload: JsonObject,
  created_at: Timestamp,
});
export type RunEvent = z.infer<typeof RunEvent>;

export const EVENTS_MAX_LIMIT = 500;

export const EventListQuery = z.strictObject({
  after: queryInteger(0, Number.MAX_SAFE_INTEGER).prefault(0).describe('Return events with id greater than this'),
  limit: queryInteger(1, EVENTS_MAX_LIMIT).prefault(100),
});
export type EventListQuery = z.infer<typeof EventListQuery>;

export const EventPage = z.strictObject({
  events: z.array(RunEvent).describe('Oldest first'),
  next_after: Count.nullable().describe('Pass as "after" to read on; null when this page is the end for now'),
});
export type EventPage = z.infer<typeof EventPage>;
