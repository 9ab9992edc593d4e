import { createHash } from 'node:crypto';

const SECRET_QUERY_PARAMS = new Set(['password', 'sslpassword', 'sslkey', 'passfile']);

/** The URL with its password (and secret query parameters) replaced by `***`. */
export function maskDatabaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL we can parse: mask anything between "://user:" and "@".
    return url.replace(/(:\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
  if (parsed.password) parsed.password = '***';
  for (const key of [...parsed.searchParams.keys()]) {
    if (SECRET_QUERY_PARAMS.has(key.toLowerCase())) parsed.searchParams.set(key, '***');
  }
  return parsed.toString();
}

/** SHA-256 of the credential-masked URL, first 12 hex chars (SPEC §8). */
export function databaseIdentity(url: string): string {
  return createHash('sha256').update(maskDatabaseUrl(url)).digest('hex').slice(0, 12);
}
