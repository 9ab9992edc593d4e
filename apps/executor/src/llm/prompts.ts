import type { TestDelta } from '../ci/test-delta';
import type { ContextFile } from '../context/context-files';
import type { AttemptFeedback, PhaseTask } from '../task';
import { fenced } from './text';

/** What one LLM call is asked: the standing instructions and this task. */
export interface Prompt {
  system: string;
  user: string;
}

/** A diff longer than this is cut for the auditor (and the cut said so). */
export const AUDIT_DIFF_LIMIT = 120_000;

const BUILDER_SYSTEM = `You are the builder of Autopack, an automated coding pipeline. You change files in a git repository to accomplish one phase of a larger plan. A program applies your answer; no person reads it first.

Answer with ONLY one JSON object, with no prose and no Markdown around it, of exactly this shape:
{"operations":[{"path":"<path relative to the repository root>","mode":"create"|"modify"|"delete","content":"<the complete new content of the file>"}],"notes":"<optional: a short note for the reviewer>"}

Rules:
- Every operation replaces a whole file: "content" is the full new text of the file, never a diff, an excerpt or a placeholder such as "rest unchanged". Leave "content" out for "delete".
- "create" only for a file that does not exist yet, "modify" only for one that does.
- Paths use forward slashes, relative to the repository root; never absolute, never "..".
- Change only files inside the phase's scope. Files marked READ-ONLY are context: never change them.
- Never modify a file shown as TRUNCATED: you have not seen all of it, and a full rewrite would lose the rest.
- Give at least one operation, and only the files the change needs.
- Follow the repository's existing style. The phase's tests run after your change; earlier attempts' failures are listed when there were any.`;

const AUDITOR_SYSTEM = `You are the auditor of Autopack, an automated coding pipeline. You review a change that was applied to a git repository for one phase of a plan, and whose tests have already run. Decide whether it accomplishes the phase safely and correctly.

Answer with ONLY one JSON object, with no prose and no Markdown around it, of exactly this shape:
{"recommendation":"approve"|"revise"|"escalate","confidence":"high"|"medium"|"low","review_notes":"<your review in a few sentences>","issues_found":[{"severity":"minor"|"major","description":"<what is wrong and how to fix it>","path":"<file, optional>"}]}

- "approve": the change does what the phase asks; minor issues may remain.
- "revise": the builder must try again; every issue says what to fix.
- "escalate": a person must decide (unsafe, outside the phase's intent, or the goal itself is unclear).
- "issues_found" is empty when there is nothing to report.`;

/** The builder's prompt: the phase, the files it may read, and what earlier attempts got wrong. */
export function builderPrompt(task: PhaseTask, context: readonly ContextFile[], feedback: readonly AttemptFeedback[]): Prompt {
  const sections = [
    taskSection(task),
    scopeSection(task),
    contextSection(context),
    feedbackSection(feedback),
    '## Your answer\n\nThe JSON object with the operations, and nothing else.',
  ];
  return { system: BUILDER_SYSTEM, user: sections.filter((s) => s !== '').join('\n\n') };
}

/** The auditor's prompt: the phase, the applied diff and what the tests said. */
export function auditorPrompt(task: PhaseTask, diff: string, delta: TestDelta | null): Prompt {
  const cut = diff.length > AUDIT_DIFF_LIMIT;
  const shown = cut ? diff.slice(0, AUDIT_DIFF_LIMIT) : diff;
  const diffTitle = cut ? `## The change (unified diff, cut at ${AUDIT_DIFF_LIMIT} of ${diff.length} characters)` : '## The change (unified diff)';
  const sections = [
    taskSection(task),
    scopeSection(task),
    `${diffTitle}\n\n${fenced(shown, 'diff')}`,
    testSection(delta),
    '## Your answer\n\nThe JSON verdict, and nothing else.',
  ];
  return { system: AUDITOR_SYSTEM, user: sections.join('\n\n') };
}

function taskSection(task: PhaseTask): string {
  const lines = [`# Phase "${task.name}"`, '', `Run ${task.runId}, phase ${task.phaseId}, attempt ${task.attempt}.`];
  if (task.goal) lines.push('', '## Goal of the whole run', '', task.goal);
  lines.push('', '## What this phase must do', '', task.description ?? task.name);
  const phaseGoal = task.scope.goal;
  if (phaseGoal && phaseGoal !== task.description) lines.push('', '## Goal of this phase', '', phaseGoal);
  return lines.join('\n');
}

function scopeSection(task: PhaseTask): string {
  const { paths, deliverables } = task.scope;
  const lines = ['## Scope', ''];
  if (paths.length === 0) lines.push('The phase may change any file of the repository except protected ones (such as .git/, .env files, CI configuration).');
  else lines.push('The phase may change only files matching these paths or globs:', ...paths.map((p) => `- ${p}`));
  if (deliverables.length > 0) lines.push('', '## Deliverables', '', ...deliverables.map((d) => `- ${d}`));
  const protectedPaths = task.scope.protected_paths ?? [];
  if (protectedPaths.length > 0) lines.push('', 'Never change these protected paths:', ...protectedPaths.map((p) => `- ${p}`));
  const reasons = task.scope.read_only_context.filter((e) => typeof e !== 'string' && e.reason);
  if (reasons.length > 0) {
    lines.push('', '## Read-only context and why it matters', '', ...reasons.map((e) => typeof e === 'string' ? `- ${e}` : `- ${e.path}: ${e.reason}`));
  }
  return lines.join('\n');
}

function contextSection(context: readonly ContextFile[]): string {
  if (context.length === 0) return '## Files\n\nNo files were provided.';
  const files = context.map((file) => {
    const marks = [file.readOnly ? 'READ-ONLY: context, do not change' : 'in scope', ...(file.truncated ? ['TRUNCATED: only the beginning is shown'] : [])];
    return `### ${file.path} (${marks.join('; ')})\n\n${fenced(file.content)}`;
  });
  return `## Files\n\n${files.join('\n\n')}`;
}

function feedbackSection(feedback: readonly AttemptFeedback[]): string {
  if (feedback.length === 0) return '';
  const attempts = [...feedback]
    .sort((a, b) => a.attempt - b.attempt)
    .map((f) => {
      const lines = [`### Attempt ${f.attempt}: failed${f.failureReason ? ` (${f.failureReason})` : ''}`];
      if (f.message) lines.push('', f.message);
      if (f.newlyFailing.length > 0) lines.push('', 'Tests it broke:', ...f.newlyFailing.map((t) => `- ${t}`));
      if (f.auditorIssues.length > 0) lines.push('', "The reviewer's issues:", ...f.auditorIssues.map((i) => `- ${i}`));
      return lines.join('\n');
    });
  return `## Earlier attempts of this phase\n\nThey did not succeed; avoid their mistakes.\n\n${attempts.join('\n\n')}`;
}

function testSection(delta: TestDelta | null): string {
  if (delta === null) return '## Tests\n\nNo tests ran for this phase.';
  const list = (title: string, ids: readonly string[]) => [`${title}:`, ...(ids.length === 0 ? ['- none'] : ids.map((id) => `- ${id}`))];
  return [
    '## Tests (after the change, compared with before)',
    '',
    ...list('Newly failing', delta.newlyFailing),
    ...list('Newly passing', delta.newlyPassing),
    ...list('New collection errors', delta.newCollectionErrors),
    ...list('Flaky (failed, then passed when re-run; not blocking)', delta.flaky),
  ].join('\n');
}
