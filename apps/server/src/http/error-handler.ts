import type { ErrorRequestHandler, RequestHandler } from 'express';
import { errorEnvelope, routes, type ErrorCode, toExpressPath, type ErrorEnvelope, type RouteSpec } from '@autopack/contracts';
import { AppError } from './app-error';
import { requestContext } from './request-context';

/** body-parser and express raise http-errors with a `type`; these are the client's fault. */
const CLIENT_ERRORS: Record<string, { code: ErrorCode; status: number; message: (err: Error) => string }> = {
  'entity.parse.failed': {
    code: 'invalid_json',
    status: 400,
    // JSON.parse quotes the body it choked on, which may be a password: keep only the position.
    message: (err) => {
      const at = /position (\d+)/.exec(err.message);
      return `request body is not valid JSON${at ? ` (error at character ${at[1]})` : ''}; send one JSON object`;
    },
  },
  'entity.too.large': {
    code: 'payload_too_large',
    status: 413,
    message: () => 'request body is larger than the server accepts (AUTOPACK_MAX_BODY_BYTES)',
  },
  'encoding.unsupported': {
    code: 'unsupported_media_type',
    status: 415,
    message: () => 'unsupported Content-Encoding; send identity, gzip or deflate',
  },
  'charset.unsupported': {
    code: 'unsupported_media_type',
    status: 415,
    message: () => 'unsupported charset; send UTF-8 JSON',
  },
};

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const ctx = requestContext(res);
  let status = 500;
  let body: ErrorEnvelope;
  const known = typeof err?.type === 'string' ? CLIENT_ERRORS[err.type] : undefined;
  if (err instanceof AppError) {
    status = err.status;
    body = errorEnvelope(err.code, err.message, ctx.correlationId, err.details);
  } else if (known) {
    status = known.status;
    body = errorEnvelope(known.code, known.message(err), ctx.correlationId);
  } else if (err instanceof URIError || (err?.status === 400 && err?.expose)) {
    status = 400;
    body = errorEnvelope('validation_failed', 'malformed URL: check the percent-encoding of the path', ctx.correlationId);
  } else {
    ctx.log.error('request failed', { err, method: req.method, path: req.path });
    body = errorEnvelope('internal_error', 'internal error; quote the correlation_id when reporting it', ctx.correlationId);
  }
  if (res.headersSent) return;
  res.status(status).json(body);
};

const knownPaths = (Object.values(routes) as RouteSpec[]).map((r) => ({
  method: r.method.toUpperCase(),
  pattern: new RegExp(`^${toExpressPath(r.path).replace(/:[a-z_]+/g, '[^/]+')}$`),
}));

/** Unknown path → 404; known path with another method → 405 with `Allow`. */
export const notFoundHandler: RequestHandler = (req, res) => {
  const ctx = requestContext(res);
  const allowed = knownPaths.filter((p) => p.pattern.test(req.path)).map((p) => p.method);
  if (allowed.length > 0) {
    res.setHeader('Allow', allowed.join(', '));
    res
      .status(405)
      .json(errorEnvelope('method_not_allowed', `${req.method} is not allowed on ${req.path}; use ${allowed.join(' or ')}`, ctx.correlationId));
    return;
  }
  res.status(404).json(errorEnvelope('not_found', `no route ${req.method} ${req.path}; see /openapi.json`, ctx.correlationId));
};
