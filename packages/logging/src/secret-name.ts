/*
 * Which names hold secrets: the one definition behind both the field rule (`{db_password: …}` in a
 * log call) and the text rule (`DB_PASSWORD=…` in a line), so the two cannot drift apart again.
 *
 * A name is read as words (`GITHUB_TOKEN_V2`, `x-api-key`, `clientSecret`, `APIKey` →
 * github·token·v·2, x·api·key, client·secret, api·key). It is secret when one word is a secret word
 * and the word after the last one does not say the name is *about* the secret rather than the
 * secret itself (`token_count`, `password_hint`, `api_key_id`). Unknown words after it keep the name
 * secret (`DB_PASSWORD_PROD`, `secret_value`): a leaked secret costs a rotation, an over-redacted
 * value costs a reader little.
 */

const SECRET_WORDS = 'token|secret|passw(?:or)?d|passphrase|authorization|cookie';
/** Ends a word that names a secret: `token`, `csrftoken`, `passwd`, `clientsecret`, `set-cookie`. */
const SECRET_WORD = new RegExp(`(?:${SECRET_WORDS})$`);
/** Most names in a log mention no secret word at all; this spares them the split into words. */
const MENTIONS_SECRET = new RegExp(`${SECRET_WORDS}|key`, 'i');

/**
 * What a `key` is a key *of* when it is a credential. Any other key is an identifier that readers
 * need (`issue_key`, `Idempotency-Key`, `cache_key`, `partition_key`, `primary key`).
 */
const KEY_KINDS = 'api|access|secret|private|signing|sign|encryption|encrypt|enc|client|auth|master|hmac|ssh|session|account|storage|shared|app|license|deploy|webhook|jwt';
const KEY_KIND = new RegExp(`^(?:${KEY_KINDS})$`);
/** The same, written as one word: `apikey`, `xapikey`, `secretkey`, `privatekey`. */
const JOINED_KEY = new RegExp(`(?:${KEY_KINDS})key$`);

/** Words after a secret word that describe it instead of holding it: `token_count`, `TOKEN_TTL`, `password_changed_at`. */
const ABOUT =
  /^(?:count|used|usage|budget|cap|limit|max|min|hint|type|kind|id|name|len|length|size|expires|expiry|expiration|ttl|age|issued|created|updated|changed|rotated|policy|rule|endpoint|url|uri|path|file|header|field|param|prefix|status|source|scheme|format|required|enabled|missing|valid|index|estimate|rate|cost)s?$/;

/** `GITHUB_TOKEN_V2` → github·token·v·2; `APIKey` → api·key; `--password` → password. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

function isSecretWord(word: string, previous: string | undefined): boolean {
  return SECRET_WORD.test(word) || JOINED_KEY.test(word) || (word === 'key' && previous !== undefined && KEY_KIND.test(previous));
}

/**
 * The kind of secret a name holds, or `undefined` when its value is not a secret. `authorization`
 * and `token` are also everyday words ("expected authorization: denied", "refresh-token: phase p1"),
 * so text rules look at their values too; a field of that name always holds a secret.
 */
export function secretNameKind(name: string): 'credential' | 'token' | 'authorization' | undefined {
  if (!MENTIONS_SECRET.test(name)) return undefined;
  const w = words(name);
  let last = -1;
  let onlyTokens = true;
  for (let i = 0; i < w.length; i++) {
    if (!isSecretWord(w[i]!, w[i - 1])) continue;
    last = i;
    onlyTokens &&= w[i]!.endsWith('token');
  }
  if (last < 0) return undefined;
  const next = w[last + 1];
  if (next !== undefined && ABOUT.test(next)) return undefined;
  if (w[last]!.endsWith('authorization')) return 'authorization';
  return onlyTokens ? 'token' : 'credential';
}

/** Whether a field or variable of this name holds a secret (`db_password`, `GITHUB_TOKEN_V2`, `x-api-key`). */
export function isSecretName(name: string): boolean {
  return secretNameKind(name) !== undefined;
}
