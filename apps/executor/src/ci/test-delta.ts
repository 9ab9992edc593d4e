/** Outcome of one run of a phase's test command. */
export interface TestRun {
  /** Test ids (suite + name) that passed / failed. Without a JUnit report, the command itself is the one test. */
  passed: string[];
  failed: string[];
  /** Files or suites that could not even be collected/loaded. */
  collectionErrors: string[];
  exitCode: number | null;
  timedOut: boolean;
  /** Combined output, capped. */
  output: string;
}

/** After vs. before (SPEC §5 step 6). Every list is sorted, so retries compare equal. */
export interface TestDelta {
  newlyFailing: string[];
  newlyPassing: string[];
  newCollectionErrors: string[];
  /** Newly failing tests that passed when re-run once: reported, not blocking. */
  flaky: string[];
}

const sorted = (items: Iterable<string>) => [...new Set(items)].sort();
const minus = (a: readonly string[], b: readonly string[]) => {
  const other = new Set(b);
  return sorted(a.filter((x) => !other.has(x)));
};

/**
 * What the change did to the tests. `rerun` is the same command run again after a failure: a
 * newly failing test that passes there is flaky. A red baseline alone never counts against the
 * change; only tests that were not failing before do.
 */
export function computeDelta(baseline: TestRun, after: TestRun, rerun?: TestRun): TestDelta {
  const newlyFailing = minus(after.failed, baseline.failed);
  const stillFailing = rerun ? new Set(rerun.failed) : new Set(newlyFailing);
  return {
    newlyFailing: newlyFailing.filter((t) => stillFailing.has(t)),
    newlyPassing: minus(after.passed, baseline.passed).filter((t) => baseline.failed.includes(t)),
    newCollectionErrors: minus(after.collectionErrors, baseline.collectionErrors),
    flaky: newlyFailing.filter((t) => !stillFailing.has(t)),
  };
}

/** Persistent new failures and new collection errors block completion. */
export function deltaBlocks(delta: TestDelta): boolean {
  return delta.newlyFailing.length > 0 || delta.newCollectionErrors.length > 0;
}
