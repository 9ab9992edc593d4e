import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type AugmentedRequest, type Store } from 'express-rate-limit';
import { clearRateLimit, hitRateLimit, unhitRateLimit, type Db } from '@autopack/db';
import type { Clock } from '../clock';
import type { ServerConfig } from '../config';
import { AppError } from '../http/app-error';
import { requestContext } from '../http/request-context';

const WINDOW_MS = 60_000;

/**
 * express-rate-limit store on the `rate_limit_hits` table: every server instance counts against the
 * same windows (set AUTOPACK_RATE_LIMIT_STORE=database when several instances share a database).
 */
export class DatabaseRateLimitStore implements Store {
  prefix: string;
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    prefix: string,
  ) {
    this.prefix = prefix;
  }
  async increment(key: string) {
    const row = await hitRateLimit(this.db, `${this.prefix}:${key}`, WINDOW_MS, this.clock.now());
    return { totalHits: row.hits, resetTime: row.reset_at };
  }
  async decrement(key: string) {
    await unhitRateLimit(this.db, `${this.prefix}:${key}`);
  }
  async resetKey(key: string) {
    await clearRateLimit(this.db, `${this.prefix}:${key}`);
  }
}

export interface RateLimiters {
  login: RequestHandler;
  reads: RequestHandler;
  writes: RequestHandler;
}

/** The principal when there is one, else the client address (which honours only trusted proxies). */
function callerKey(req: Request): string {
  const principal = requestContext(req.res!).principal;
  return principal && principal.kind !== 'anonymous' ? principal.id : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
}

export function createRateLimiters(config: ServerConfig, db: Db, clock: Clock): RateLimiters {
  const make = (name: string, limit: number, keyGenerator: (req: Request) => string) =>
    rateLimit({
      windowMs: WINDOW_MS,
      limit,
      keyGenerator,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      // An untrusted X-Forwarded-For is expected (it is simply not believed); no warning for it.
      validate: { xForwardedForHeader: false },
      ...(config.rateLimits.store === 'database' ? { store: new DatabaseRateLimitStore(db, clock, name) } : {}),
      // The envelope is the error handler's, like every other error's; only the header is set here.
      handler: (req, res, next) => {
        const reset = (req as AugmentedRequest).rateLimit?.resetTime;
        const seconds = reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : 60;
        res.setHeader('Retry-After', String(seconds));
        const message = `too many requests (${name}: ${limit} per minute); retry after ${seconds} s`;
        next(new AppError('rate_limited', 429, message, { limit: name, per_minute: limit, retry_after_seconds: seconds }));
      },
    });
  return {
    login: make('login', config.rateLimits.loginPerMinute, (req) => `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`),
    reads: make('reads', config.rateLimits.readsPerMinute, callerKey),
    writes: make('writes', config.rateLimits.writesPerMinute, callerKey),
  };
}
