export { AutopackClient } from './client';
export {
  AutopackClientError,
  AutopackHttpError,
  AutopackNetworkError,
  AutopackRequestError,
  AutopackResponseError,
} from './errors';
export { Lease, type KeepAliveOptions } from './lease';
export { backoffDelay, DEFAULT_RETRY, RETRYABLE_STATUSES, retryAfterMs, retryDelay, sleep, type Backoff, type RetryPolicy } from './retry';
export type { CallAnswer, CallInput, CallOptions, ClientOptions } from './transport';
