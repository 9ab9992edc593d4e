/** `text` on one line, cut to `max` characters: for error messages that quote a body. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/**
 * `content` inside a Markdown code fence that cannot close early: the fence is one backtick longer
 * than the longest run of backticks in the content (CommonMark's rule).
 */
export function fenced(content: string, info = ''): string {
  const longest = Math.max(0, ...Array.from(content.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  const body = content.endsWith('\n') ? content : `${content}\n`;
  return `${fence}${info}\n${body}${fence}`;
}
