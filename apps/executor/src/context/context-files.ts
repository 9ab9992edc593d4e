/** A file shown to a builder or auditor. */
export interface ContextFile {
  path: string;
  content: string;
  /** Cut at the per-file limit. */
  truncated: boolean;
  /** From read_only_context: shown, not to be changed. */
  readOnly: boolean;
}
