/** The input is not a patch we can read. Names the 1-based input line (null when it has no lines). */
export class PatchParseError extends Error {
  override readonly name = 'PatchParseError';
  readonly code = 'parse_error';

  constructor(
    message: string,
    readonly line: number | null,
  ) {
    super(line === null ? message : `line ${line}: ${message}`);
  }
}
