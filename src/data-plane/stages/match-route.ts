/**
 * match-route: picks the route with AWS's priority rules (compiled matcher) or answers 404.
 * A matched route without a target also answers 404, as AWS does.
 */
import { notFound } from '../errors.js';
import type { Invocation } from '../invocation.js';

/** Sets `inv.route` and `inv.pathParameters`. */
export function matchRoute(inv: Invocation): void {
  const stage = inv.stage;
  if (!stage) throw notFound();
  const m = stage.match(inv.request.method, inv.routePath ?? '/');
  if (!m) throw notFound(`no route matches ${inv.request.method} ${inv.routePath}`);
  inv.route = m.route;
  if (m.pathParameters) inv.pathParameters = m.pathParameters;
  if (!m.route.integration) throw notFound(`route ${m.route.routeKey} has no integration`);
}
