import type { Principal } from '../http/request-context';

/** The actor recorded in events for a request: the authenticated principal. */
export function actorOf(ctx: { principal?: Principal | undefined }): string {
  return ctx.principal?.id ?? 'anonymous';
}
