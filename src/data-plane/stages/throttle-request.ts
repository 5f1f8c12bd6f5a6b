/**
 * throttle-request: the matched route's token bucket (route settings over stage defaults); 429.
 */
import { tooManyRequests } from '../errors.js';
import type { Invocation } from '../invocation.js';

/** Throws 429 when the route's bucket is empty. */
export function throttleRequest(inv: Invocation): void {
  const bucket = inv.route?.throttle;
  if (bucket && !bucket.take()) throw tooManyRequests();
}
