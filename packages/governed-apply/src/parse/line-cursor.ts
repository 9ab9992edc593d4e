/**
 * Walks a patch line by line without splitting it up front: a 50,000-line patch would otherwise be
 * a quarter of a million strings before parsing starts. `line` is the 1-based number of the current
 * line, for error messages.
 */
export class LineCursor {
  /** Offset of the current line's first character. */
  pos = 0;
  line = 1;
  private endPos = -1;
  private endFor = -1;

  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  /** Offset of the current line's "\n" (or the end of the text). */
  end(): number {
    if (this.endFor !== this.pos) {
      const nl = this.text.indexOf('\n', this.pos);
      this.endPos = nl < 0 ? this.text.length : nl;
      this.endFor = this.pos;
    }
    return this.endPos;
  }

  /** The current line without its "\n"; undefined past the end. */
  current(): string | undefined {
    return this.done ? undefined : this.text.slice(this.pos, this.end());
  }

  /** First character of the current line ('' for an empty line or past the end). */
  first(): string {
    return this.done || this.pos === this.end() ? '' : this.text[this.pos]!;
  }

  startsWith(prefix: string): boolean {
    return !this.done && this.text.startsWith(prefix, this.pos);
  }

  /** The line `ahead` lines after the current one, or undefined. */
  peek(ahead: number): string | undefined {
    let pos = this.pos;
    for (let k = 0; k < ahead; k++) {
      const nl = this.text.indexOf('\n', pos);
      if (nl < 0) return undefined;
      pos = nl + 1;
    }
    if (pos >= this.text.length) return undefined;
    const nl = this.text.indexOf('\n', pos);
    return this.text.slice(pos, nl < 0 ? this.text.length : nl);
  }

  /** The current line from column `from`, with its "\n" (added when the text ends without one). */
  restWithNewline(from: number): string {
    const end = this.end();
    return end < this.text.length ? this.text.slice(this.pos + from, end + 1) : `${this.text.slice(this.pos + from)}\n`;
  }

  advance(): void {
    this.pos = this.end() + 1;
    this.line++;
  }
}
