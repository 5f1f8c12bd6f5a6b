/**
 * authorize: runs the route's authorizer (JWT, Lambda, IAM). An authorization type Gatehouse
 * cannot enforce is compiled into an authorizer that refuses every request: never skipped.
 */
import type { Invocation } from '../invocation.js';

/** Sets `inv.authorizer` or throws the authorizer's 401/403/500. */
export async function authorize(inv: Invocation): Promise<void> {
  const authorizer = inv.route?.authorizer;
  if (authorizer) inv.authorizer = await authorizer.authorize(inv);
}
