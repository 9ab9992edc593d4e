import { routes } from '@autopack/contracts';

/*
 * The predecessor's docs named endpoints that did not exist. Every "METHOD /path" a doc names must
 * be a route of the contracts' route table — the table the server mounts and OpenAPI is built from.
 */

const PARAM = '{}';

/** `/runs/{run_id}/events?after=…` → ['runs', '{}', 'events']; `{x}`, `:x` and `<x>` are parameters (which match anything). */
function segments(path: string): string[] {
  return path
    .replace(/[?#].*$/, '')
    .replace(/[.,;:]+$/, '')
    .split('/')
    .filter(Boolean)
    .map((s) => (/^(\{[^}]*\}|:\w+|<[^>]*>)$/.test(s) ? PARAM : s));
}

const KNOWN = Object.values(routes).map((r) => ({ method: r.method.toUpperCase(), segments: segments(r.path) }));

function exists(method: string, path: string[]): boolean {
  return KNOWN.some((r) => r.method === method && r.segments.length === path.length && r.segments.every((s, i) => s === PARAM || s === path[i]));
}

/** One mention expands `a|b` alternatives in its last segment: `POST /admin/pause|resume`. */
function expand(path: string): string[] {
  const at = path.lastIndexOf('/');
  const last = path.slice(at + 1);
  return last.includes('|') ? last.split('|').map((alt) => `${path.slice(0, at + 1)}${alt}`) : [path];
}

export const ROUTE_MENTION = /\b(GET|POST|PUT|PATCH|DELETE)\s+(\/[^\s`)"',]*)/g;

/** The mentions on a line that name no route; abbreviated ones (`…/skip`) are not judged. */
export function unknownRoutes(line: string): string[] {
  const out: string[] = [];
  for (const [mention, method, path] of line.matchAll(ROUTE_MENTION)) {
    if (path!.includes('…') || path!.includes('...')) continue;
    if (!expand(path!).every((p) => exists(method!, segments(p)))) out.push(mention);
  }
  return out;
}
