/**
 * throttle-request: the matched route's token bucket (route settings over stage defaults); 429.
 */
import { tooManyRequests } from '../errors.js';
import type { Invocation } from '../invocation.js';

/** Throws (or rejects with) 429 when the route's bucket is empty; a cluster bucket answers asynchronously. */
export function throttleRequest(inv: Invocation): void | Promise<void> {
  const taken = inv.route?.throttle?.take();
  if (taken === undefined || taken === true) return;
  if (taken === false) throw tooManyRequests();
  return taken.then((allowed) => {
    if (!allowed) throw tooManyRequests();
  });
}
