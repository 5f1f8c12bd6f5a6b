/**
 * authorize: runs the route's authorizer (JWT, Lambda, IAM). An authorization type Gatehouse
 * cannot enforce is compiled into an authorizer that refuses every request: never skipped.
 */
import type { Invocation } from '../invocation.js';

/**
 * Sets `inv.authorizer` or rejects with the authorizer's 401/403/500; undefined (no promise) when
 * the route has no authorizer.
 */
export function authorize(inv: Invocation): Promise<void> | undefined {
  const authorizer = inv.route?.authorizer;
  if (!authorizer) return undefined;
  return authorizer.authorize(inv).then((result) => {
    inv.authorizer = result;
  });
}
