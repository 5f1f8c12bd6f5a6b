/**
 * integrate: calls the route's integration and keeps its response.
 */
import type { Invocation } from '../invocation.js';

/** Sets `inv.response` from the integration. */
export async function integrate(inv: Invocation): Promise<void> {
  const integration = inv.route?.integration;
  if (!integration) return;
  const started = performance.now();
  try {
    inv.response = await integration.invoke(inv);
  } finally {
    inv.integration = { ...inv.integration, latencyMs: Math.round(performance.now() - started) };
  }
  inv.integration.status ??= inv.response.statusCode;
}
