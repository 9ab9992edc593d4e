import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyPatch, type GovernedApplyOptions } from '../src';
import { Prng } from './helpers/prng';
import { randomEdits, randomTree, type GenTree } from './helpers/random-edits';
import { git, listTree, makeTempDir, removeTree } from './helpers/temp-tree';

// Seeded so a failure replays: GA_AGREEMENT_SEED=<seed printed in the failure> reruns the same cases.
const BASE_SEED = Number(process.env.GA_AGREEMENT_SEED ?? 20261122);
const BATCHES = 10;
const CASES_PER_BATCH = 22;
const MIN_CASES = 200;

/** What the generated patches must contain, each in several cases. */
const FEATURES: Record<string, RegExp> = {
  creation: /^new file mode /m,
  deletion: /^deleted file mode /m,
  rename: /^rename from /m,
  copy: /^copy from /m,
  'mode change': /^old mode /m,
  'no newline at EOF': /^\\ No newline at end of file/m,
  'CRLF lines': /^[ +-].*\r$/m,
  'binary patch': /^GIT binary patch$/m,
  symlink: /^new file mode 120000/m,
  'empty file': /^index 0+\.\.e69de29/m,
};

const OPTIONS: Omit<GovernedApplyOptions, 'repo'> = {
  allowBinary: true,
  allowSymlinks: true,
  allowMassDeletion: true,
};

function writeGenTree(root: string, tree: GenTree): void {
  for (const [rel, entry] of tree) {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    if (entry.kind === 'symlink') fs.symlinkSync(entry.target, abs);
    else {
      fs.writeFileSync(abs, entry.data);
      fs.chmodSync(abs, entry.executable ? 0o755 : 0o644);
    }
  }
}

/**
 * Splits one `git diff` of a whole batch into per-case patches (every case lives in its own `cN/`;
 * base files are never empty and lines carry the case tag, so git never pairs files across cases).
 */
function splitByCase(patch: Buffer): Map<string, Buffer> {
  const chunks = new Map<string, string>();
  for (const chunk of patch.toString('latin1').split(/^(?=diff --git )/m)) {
    if (chunk === '') continue;
    const m = /^diff --git "?a\/(c\d+)\/.* "?b\/(c\d+)\//.exec(chunk);
    if (!m || m[1] !== m[2]) throw new Error(`a pair across cases: ${chunk.split('\n')[0]}`);
    chunks.set(m[1]!, (chunks.get(m[1]!) ?? '') + chunk);
  }
  return new Map([...chunks].map(([prefix, text]) => [prefix, Buffer.from(text, 'latin1')]));
}

/** The case's own directory (gone when the patch emptied it), executable bits as git records them. */
function caseTree(side: string, prefix: string): string[] {
  const dir = path.join(side, prefix);
  return fs.existsSync(dir) ? listTree(dir, { gitModes: true }) : [];
}

describe('agreement with git apply', () => {
  let work: string;
  let compared = 0;
  const seen: Record<string, number> = Object.fromEntries(Object.keys(FEATURES).map((k) => [k, 0]));

  beforeAll(() => {
    work = makeTempDir('agreement');
  });
  // A failed batch leaves its directory (patch and both trees) for inspection.
  afterAll(() => {
    if (fs.readdirSync(work).length === 0) removeTree(work);
  });

  it.each(Array.from({ length: BATCHES }, (_, i) => i))('batch %i: random edits leave the tree git apply leaves, byte for byte', (batch) => {
    const seed = BASE_SEED + batch;
    const prng = new Prng(seed);
    const dir = path.join(work, `batch-${batch}`);
    const gen = path.join(dir, 'gen');
    const gitSide = path.join(dir, 'git-apply');
    const ourSide = path.join(dir, 'governed-apply');
    fs.mkdirSync(gen, { recursive: true });

    const cases = Array.from({ length: CASES_PER_BATCH }, (_, k) => {
      const prefix = `c${k}`;
      const options = { binary: true, symlinks: true };
      const base = randomTree(prng, prefix, options);
      return { prefix, base, edited: randomEdits(prng, base, prefix, options) };
    });

    // One repository per batch: commit every case's base, stage every case's edits, one diff.
    git(gen, ['init', '-q']);
    for (const c of cases) writeGenTree(gen, c.base);
    git(gen, ['add', '-A']);
    git(gen, ['commit', '-qm', 'base']);
    for (const c of cases) {
      fs.rmSync(path.join(gen, c.prefix), { recursive: true, force: true });
      writeGenTree(gen, c.edited);
    }
    git(gen, ['add', '-A']);
    const patches = splitByCase(git(gen, ['diff', '--cached', '-M', '-C', '-C', '--binary']));

    for (const c of cases) writeGenTree(gitSide, c.base);
    for (const c of cases) writeGenTree(ourSide, c.base);

    for (const c of cases) {
      const patch = patches.get(c.prefix);
      if (!patch) continue;
      const patchFile = path.join(dir, `${c.prefix}.patch`);
      fs.writeFileSync(patchFile, patch);
      // On failure the batch directory is kept, so the patch and both trees can be inspected.
      const replay = `GA_AGREEMENT_SEED=${BASE_SEED}, batch seed ${seed}, case ${c.prefix}, patch ${patchFile}`;

      git(gitSide, ['apply', patchFile]);
      const report = applyPatch({ diff: patch }, { ...OPTIONS, repo: ourSide });
      if (report.outcome !== 'applied') {
        throw new Error(`governed apply said ${report.outcome} for ${replay}: ${JSON.stringify({ error: report.error, violations: report.violations, files: report.files })}`);
      }
      const expected = caseTree(gitSide, c.prefix);
      const actual = caseTree(ourSide, c.prefix);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        expect({ replay, actual }).toEqual({ replay, actual: expected });
      }
      const again = applyPatch({ diff: patch }, { ...OPTIONS, repo: ourSide });
      if (again.outcome !== 'already_applied') throw new Error(`second apply said ${again.outcome} for ${replay}`);
      compared++;
      const text = patch.toString('latin1');
      for (const [feature, pattern] of Object.entries(FEATURES)) if (pattern.test(text)) seen[feature]!++;
    }
    removeTree(dir);
  });

  it(`compared at least ${MIN_CASES} cases, covering every kind of change`, () => {
    expect(compared).toBeGreaterThanOrEqual(MIN_CASES);
    for (const [feature, count] of Object.entries(seen)) expect({ feature, covered: count >= 3 }).toEqual({ feature, covered: true });
  });
});
