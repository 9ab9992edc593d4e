import type { RequestContext } from '../http/request-context';

/** The actor recorded in events for a request: the authenticated principal. */
export function actorOf(ctx: RequestContext): string {
  return ctx.principal?.id ?? 'anonymous';
}
