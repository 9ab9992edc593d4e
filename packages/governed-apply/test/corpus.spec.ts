import { ApplyReport, type ApplyViolationCode } from '@autopack/contracts';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyPatch, checkPatch, type GovernedApplyOptions, type PatchInput } from '../src';
import { git, listTree, makeTempDir, removeTree, writeTree, type TreeEntry } from './helpers/temp-tree';

/** One row of test/corpus/cases.json: a patch file and what governed apply must make of it. */
interface CorpusCase {
  name: string;
  patch: string;
  kind?: 'operations';
  expect: 'applied' | 'already_applied' | 'empty' | 'rejected' | 'conflict' | 'parse_error';
  codes?: ApplyViolationCode[];
  line?: number;
  options?: Omit<GovernedApplyOptions, 'repo'>;
  setup?: Record<string, TreeEntry>;
  /** Files after a successful apply: expected content, or null for "gone". */
  after?: Record<string, string | null>;
  why: string;
}

interface Fixture {
  files: Record<string, string>;
  executable: string[];
  binary: Record<string, string>;
  symlinks: Record<string, string>;
  outside: Record<string, string>;
}

const CORPUS = path.join(__dirname, 'corpus');
const cases: CorpusCase[] = JSON.parse(fs.readFileSync(path.join(CORPUS, 'cases.json'), 'utf8')).cases;
const fixture: Fixture = JSON.parse(fs.readFileSync(path.join(CORPUS, 'fixture.json'), 'utf8'));

let work: string;
let template: string;

beforeAll(() => {
  work = makeTempDir('corpus');
  template = path.join(work, 'template');
  const repo = path.join(template, 'repo');
  const entries: Record<string, TreeEntry> = {};
  for (const [rel, content] of Object.entries(fixture.files)) entries[rel] = { content, executable: fixture.executable.includes(rel) };
  for (const [rel, b64] of Object.entries(fixture.binary)) entries[rel] = Buffer.from(b64, 'base64');
  for (const [rel, target] of Object.entries(fixture.symlinks)) entries[rel] = { symlink: target };
  fs.mkdirSync(repo, { recursive: true });
  writeTree(repo, entries);
  writeTree(path.join(template, 'outside'), fixture.outside);
  git(repo, ['init', '-q']);
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-qm', 'fixture']);
});

afterAll(() => removeTree(work));

/** A fresh copy of the fixture (repository and the directory beside it) for one case. */
function prepare(c: CorpusCase): { repo: string; outside: string } {
  const dir = path.join(work, c.name);
  fs.cpSync(template, dir, { recursive: true, verbatimSymlinks: true });
  const repo = path.join(dir, 'repo');
  if (c.setup) writeTree(repo, c.setup);
  return { repo, outside: path.join(dir, 'outside') };
}

function inputOf(c: CorpusCase): PatchInput {
  const bytes = fs.readFileSync(path.join(CORPUS, c.patch));
  return c.kind === 'operations' ? { operations: bytes.toString('utf8') } : { diff: bytes };
}

const snapshot = (where: { repo: string; outside: string }) => [listTree(where.repo), listTree(where.outside)];

/** Reports are contract objects: they validate and survive JSON unchanged. */
function expectContractReport(report: ApplyReport): void {
  expect(ApplyReport.parse(report)).toEqual(report);
  expect(JSON.parse(JSON.stringify(report))).toEqual(report);
}

describe('patch corpus', () => {
  it('has at least 60 cases, each with a patch file and a reason', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    for (const c of cases) {
      expect(fs.existsSync(path.join(CORPUS, c.patch))).toBe(true);
      expect(c.why).not.toBe('');
    }
  });

  it.each(cases)('$name ($expect): $why', (c) => {
    const where = prepare(c);
    try {
      runCase(c, where);
    } finally {
      removeTree(path.dirname(where.repo));
    }
  });
});

function runCase(c: CorpusCase, where: { repo: string; outside: string }): void {
  {
    const options: GovernedApplyOptions = { ...c.options, repo: where.repo };
    const input = inputOf(c);
    const before = snapshot(where);

    const checked = checkPatch(input, options);
    expectContractReport(checked);
    expect(snapshot(where)).toEqual(before);

    if (c.expect === 'applied') {
      expect(checked).toMatchObject({ outcome: 'passed', violations: [] });
      const applied = applyPatch(input, options);
      expectContractReport(applied);
      expect(applied.outcome).toBe('applied');
      for (const [rel, content] of Object.entries(c.after ?? {})) {
        const abs = path.join(where.repo, rel);
        if (content === null) expect(fs.existsSync(abs)).toBe(false);
        else expect(fs.readFileSync(abs, 'latin1')).toBe(Buffer.from(content, 'utf8').toString('latin1'));
      }
      const afterFirst = snapshot(where);
      const again = applyPatch(input, options);
      expect(again.outcome).toBe('already_applied');
      expect(again.files.every((f) => f.status === 'already_applied')).toBe(true);
      expect(snapshot(where)).toEqual(afterFirst);
      return;
    }

    expect(checked.outcome).toBe(c.expect);
    if (c.expect === 'rejected') {
      expect([...new Set(checked.violations.map((v) => v.code))].sort()).toEqual(c.codes);
    }
    if (c.expect === 'parse_error') {
      expect(checked.error).toMatchObject({ code: 'parse_error', line: c.line });
    }
    const applied = applyPatch(input, options);
    expect(applied.outcome).toBe(c.expect);
    // Nothing refused may change a byte, inside the repository or next to it.
    expect(snapshot(where)).toEqual(before);
  }
}
