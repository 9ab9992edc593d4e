import { AUDIT_DIFF_LIMIT, auditorPrompt, builderPrompt } from '../src/llm/prompts';
import { fenced } from '../src/llm/text';
import { phaseTask } from './support/llm-fixtures';

describe('builder prompt', () => {
  const context = [
    { path: 'src/greet.js', content: 'exports.greet = () => "hi";\n', truncated: false, readOnly: false },
    { path: 'README.md', content: '# Lib\n```js\ngreet()\n```\n', truncated: false, readOnly: true },
    { path: 'src/big.js', content: 'x'.repeat(50), truncated: true, readOnly: false },
  ];

  it('states the phase, the run goal, scope paths and deliverables', () => {
    const { system, user } = builderPrompt(phaseTask({ attempt: 2 }), context, []);
    expect(system).toContain('{"operations":[{"path"');
    expect(system).toMatch(/ONLY one JSON object/);
    expect(user).toContain('# Phase "Add greeting"');
    expect(user).toContain('Run run-1, phase phase-1, attempt 2.');
    expect(user).toContain('A friendly library');
    expect(user).toContain('Add a greet(name) function');
    expect(user).toContain('- src/**');
    expect(user).toContain('- src/greet.js exports greet');
    expect(user).not.toContain('Earlier attempts');
  });

  it('marks read-only and truncated files, and fences each file so its own fences cannot close it', () => {
    const { user } = builderPrompt(phaseTask(), context, []);
    expect(user).toContain('### src/greet.js (in scope)\n\n```\nexports.greet');
    expect(user).toContain('### README.md (READ-ONLY: context, do not change)\n\n````\n# Lib\n```js');
    expect(user).toContain('### src/big.js (in scope; TRUNCATED: only the beginning is shown)');
  });

  it('says the whole repository is in scope when no paths are given', () => {
    const { user } = builderPrompt(phaseTask({ scope: { paths: [], read_only_context: [], deliverables: [], allow_mass_deletion: false, protected_paths: [] } }), [], []);
    expect(user).toContain('may change any file of the repository except protected ones');
    expect(user).toContain('No files were provided.');
    expect(user).not.toContain('## Deliverables');
  });

  it("shows a predecessor plan's phase goal, protected paths and why each read-only file matters", () => {
    const scope = {
      paths: ['src/**'],
      read_only_context: ['docs/a.md', { path: 'src/models.py', reason: 'the models to follow' }],
      deliverables: [],
      allow_mass_deletion: false,
      protected_paths: ['src/legacy.py'],
      goal: 'A users table with a unique email',
    };
    const { user } = builderPrompt(phaseTask({ scope }), [], []);
    expect(user).toContain('## Goal of this phase\n\nA users table with a unique email');
    expect(user).toContain('Never change these protected paths:\n- src/legacy.py');
    expect(user).toContain('## Read-only context and why it matters\n\n- src/models.py: the models to follow');
    expect(user).not.toContain('- docs/a.md:');
  });

  it("carries earlier attempts' failure reason, broken tests and auditor issues, oldest first", () => {
    const feedback = [
      { attempt: 2, failureReason: 'auditor_reject', message: null, newlyFailing: [], auditorIssues: ['greet ignores its argument'] },
      { attempt: 1, failureReason: 'ci_fail', message: '1 test newly failing', newlyFailing: ['greet › says hello', 'greet › says bye'], auditorIssues: [] },
    ];
    const { user } = builderPrompt(phaseTask({ attempt: 3 }), [], feedback);
    const section = user.slice(user.indexOf('## Earlier attempts of this phase'));
    expect(section).toContain('### Attempt 1: failed (ci_fail)\n\n1 test newly failing\n\nTests it broke:\n- greet › says hello\n- greet › says bye');
    expect(section).toContain("### Attempt 2: failed (auditor_reject)\n\nThe reviewer's issues:\n- greet ignores its argument");
    expect(section.indexOf('Attempt 1')).toBeLessThan(section.indexOf('Attempt 2'));
  });
});

describe('auditor prompt', () => {
  it('shows the task, the diff and the test delta, and asks for the verdict shape', () => {
    const delta = { newlyFailing: ['a'], newlyPassing: ['b'], newCollectionErrors: [], flaky: ['c'] };
    const { system, user } = auditorPrompt(phaseTask(), '+added line\n', delta);
    expect(system).toContain('"recommendation":"approve"|"revise"|"escalate"');
    expect(system).toContain('"issues_found":[{"severity":"minor"|"major"');
    expect(user).toContain('Add a greet(name) function');
    expect(user).toContain('```diff\n+added line\n```');
    expect(user).toContain('Newly failing:\n- a\nNewly passing:\n- b\nNew collection errors:\n- none\nFlaky');
  });

  it('says when no tests ran, and cuts a huge diff saying so', () => {
    const { user } = auditorPrompt(phaseTask(), 'x'.repeat(AUDIT_DIFF_LIMIT + 10), null);
    expect(user).toContain('No tests ran for this phase.');
    expect(user).toContain(`cut at ${AUDIT_DIFF_LIMIT} of ${AUDIT_DIFF_LIMIT + 10} characters`);
    expect(user).not.toContain('x'.repeat(AUDIT_DIFF_LIMIT + 1));
  });
});

describe('fenced', () => {
  it('uses a fence longer than any backtick run inside', () => {
    expect(fenced('a')).toBe('```\na\n```');
    expect(fenced('````x````\n', 'md')).toBe('`````md\n````x````\n`````');
  });
});
