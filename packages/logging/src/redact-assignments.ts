import { secretNameKind } from './secret-name';

/*
 * Values assigned to secret names in free text: `DB_PASSWORD=…`, `"api_key": "…"`, `x-api-key: …`,
 * `{\"password\":\"…\"}` (JSON inside a JSON string). Whether a name is secret is decided by
 * `secretNameKind`, the same function the field rule uses.
 *
 * Linear time on megabytes of hostile text: one regex finds candidate names (each run of name
 * characters has one start, so the engine never rescans it), and the value is walked in code, which
 * needs no backtracking and no bound, so a long quoted value is redacted to its closing quote.
 */

/**
 * A name, bare or quoted (`"api_key"`, `\"api_key\"`), then an assignment. Not a comparison
 * (`==`, `!=`, `>=`, `=~`) and not `::`. A name does not start inside a longer name or a URL path,
 * but may follow a JSON escape (`…\npassword=…`).
 */
const ASSIGNMENT = /(?:(?<![\w./\\-])|(?<=\\[nrt]))(\\{0,7}["']|)([\w.-]+)\1([ \t]*(?::=|=>|=(?![=~])|:(?![:=]))[ \t]*)/g;
/** A quoted value opens with a quote, escaped as often as the text around it is (`"`, `\"`, `\\\"`). */
const OPEN_QUOTE = /\\{0,7}["']/y;
/**
 * `Authorization: Bearer …` keeps its scheme, so a reader still sees what kind of credential it was.
 * Only there: after `password:` the same word may be the first half of a passphrase.
 */
const SCHEME = /(?:bearer|basic|token|digest|negotiate|ntlm)[ \t]+(?=[^\s"'])/iy;
/** A bare value ends at whitespace, a quote, `,`, `;` or `&` (`?token=…&state=1`); `bareEnd` decides at a backslash. */
const BARE_RUN = /[^\s"',;&\\]*/y;
/** An opaque credential without a scheme: what an `authorization` value is when it is not a word. */
const OPAQUE = /[A-Za-z0-9._~+/=-]{16,}/;
/**
 * `run refresh-token: phase p1`: a lowercase word and more words after `name:` are prose, not a
 * secret — but only after `token` names, an everyday word in this product's logs. After a
 * password, secret, passphrase or key the same shape is a weak secret (`password: letmein now`).
 */
const PROSE = /[a-z]+[ \t]+\w/y;

/** Where a quoted value opened by `k` backslashes and `quote` ends: its closing quote, or the end of the line. */
function closingQuote(text: string, from: number, quote: string, k: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') return i;
    if (c !== quote) continue;
    let b = 0;
    while (b < i - from && text[i - 1 - b] === '\\') b++;
    // Fewer backslashes than the opening quote: the enclosing string ends here. At the same depth a
    // quote closes when its backslashes are k more than a whole number of escaped backslashes.
    if (b < k) return i - b;
    if (b % (2 * (k + 1)) === k) return i - k;
  }
  return text.length;
}

/** Where a bare value ends; a backslash ends it only as a JSON escape (`\n`, `\"`), as in `…=abc\nnext`. */
function bareEnd(text: string, from: number): number {
  let i = from;
  for (;;) {
    BARE_RUN.lastIndex = i;
    BARE_RUN.exec(text);
    i = BARE_RUN.lastIndex;
    if (text[i] !== '\\' || i + 1 >= text.length || 'nrt"\''.includes(text[i + 1]!)) return i;
    i += 1;
  }
}

function sticky(pattern: RegExp, text: string, at: number): string {
  pattern.lastIndex = at;
  return pattern.exec(text)?.[0] ?? '';
}

/** `text` with the value of every secret assignment replaced by `replacement` (quotes, names and schemes kept). */
export function redactAssignments(text: string, replacement: string): string {
  const out: string[] = [];
  let done = 0;
  ASSIGNMENT.lastIndex = 0;
  for (let m = ASSIGNMENT.exec(text); m !== null; m = ASSIGNMENT.exec(text)) {
    const [whole, nameQuote = '', name = '', operator = ''] = m;
    const valueAt = m.index + whole.length;
    const kind = secretNameKind(name);
    // `=>` assigns in `"password" => "…"` (Ruby, PHP) but is an arrow function after a bare name.
    if (kind === undefined || (operator.includes('=>') && nameQuote === '')) continue;

    const open = sticky(OPEN_QUOTE, text, valueAt);
    const scheme = kind === 'authorization' ? sticky(SCHEME, text, valueAt + open.length) : '';
    const start = valueAt + open.length + scheme.length;
    const end = open ? closingQuote(text, start, open[open.length - 1]!, open.length - 1) : bareEnd(text, start);
    const value = text.slice(start, end);
    const prose = kind === 'token' && !open && !nameQuote && operator.trim() === ':' && sticky(PROSE, text, start) !== '';
    const looksSecret = kind === 'authorization' ? scheme !== '' || OPAQUE.test(value) : !prose;
    if (value !== '' && value !== replacement && looksSecret) {
      out.push(text.slice(done, start), replacement);
      done = end;
    }
    // Past the value either way: each character is walked once, so the whole pass stays linear.
    ASSIGNMENT.lastIndex = end;
  }
  out.push(text.slice(done));
  return out.join('');
}
