/** Outcome of one run of a phase's test command. */
export interface TestRun {
  /** Test ids (suite + name) that passed / failed. Empty when only the exit code is known. */
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
