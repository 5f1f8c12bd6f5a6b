/**
 * integrate: calls the route's integration and keeps its response. The call itself is inline in the
 * pipeline's `handle` (one async step less per request); this is what follows it.
 */
import type { Invocation } from '../invocation.js';

/** Records the integration's latency (`$context.integrationLatency`) and, unless it set one, its status. */
export function integrated(inv: Invocation, latencyMs: number): void {
  if (inv.integration) inv.integration.latencyMs = latencyMs;
  else inv.integration = { latencyMs };
  if (inv.response) inv.integration.status ??= inv.response.statusCode;
}
