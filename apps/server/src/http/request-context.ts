import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Role } from '@autopack/contracts';
import type { Logger } from '@autopack/logging';

export interface Principal {
  kind: 'user' | 'api_key' | 'anonymous';
  /** Recorded as the actor of events and used as the rate-limit key: "user:alice", "key:3f9c2a1b7d0e", "anonymous". */
  id: string;
  role: Role;
  /** Username or key name, for people. */
  name: string;
}

export interface RequestContext {
  correlationId: string;
  log: Logger;
  principal?: Principal;
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestContext(res: Response): RequestContext {
  return res.locals as RequestContext;
}

/**
 * Takes the caller's X-Correlation-ID when it is well-formed (else makes one), echoes it, and gives
 * the request a child logger that writes it in every line; logs one line per finished request.
 */
export function correlation(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.get('x-correlation-id');
    const correlationId = given !== undefined && CORRELATION_ID.test(given) ? given : randomUUID();
    const ctx = requestContext(res);
    ctx.correlationId = correlationId;
    ctx.log = logger.child({ correlation_id: correlationId });
    res.setHeader('X-Correlation-ID', correlationId);
    const started = performance.now();
    res.on('finish', () => {
      ctx.log.info('request', {
        method: req.method,
        path: req.path,
        status: res.statusCode,
        duration_ms: Math.round((performance.now() - started) * 10) / 10,
      });
    });
    next();
  };
}
