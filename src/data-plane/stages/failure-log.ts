/**
 * failure-log: one server-log line (the `--log-format` logger) for every response the gateway made
 * itself with a 5xx status and for every failed WebSocket event: API, stage, route, integration and
 * the cause (the handler's error and stack, "not registered ... register it with --function", the
 * module that cannot be loaded, the upstream that refused). The client still gets AWS's body; this
 * is the only place such failures are logged, so each is logged once.
 */
import type { Logger } from '../../logger.js';
import type { Invocation } from '../invocation.js';

/** What the line is about, from the error's `$context.error.responseType`. */
function subject(responseType: string): string {
  if (responseType === 'AUTHORIZER_FAILURE') return 'authorizer failed';
  if (responseType === 'INTEGRATION_FAILURE') return 'integration failed';
  if (responseType === 'INTEGRATION_TIMEOUT') return 'integration timed out';
  return 'gateway error';
}

/** The fields of the line: where the request went and why it failed. */
export function failureFields(inv: Invocation, status: number): Record<string, unknown> {
  const stage = inv.stage;
  const ws = inv.websocket;
  return {
    status,
    ...(stage ? { api: stage.apiId, stage: stage.stageName } : {}),
    ...(inv.route ? { route: inv.route.routeKey } : ws ? { route: ws.routeKey } : {}),
    ...(inv.route?.integrationLabel ? { integration: inv.route.integrationLabel } : {}),
    ...(ws ? { event: ws.eventType, connectionId: ws.connection.connectionId } : { method: inv.request.method, path: inv.incoming.url ?? inv.request.path }),
    requestId: inv.requestId,
    ...(inv.error?.trace ? { stack: inv.error.trace } : {}),
  };
}

/**
 * Logs a failed invocation once: HTTP responses the gateway made with status ≥ 500 (`inv.error` set),
 * and WebSocket events that failed with `status` ≥ 500. Anything else is left to the request log.
 */
export function logFailure(logger: Logger, inv: Invocation, status: number): void {
  const error = inv.error;
  if (!error || status < 500) return;
  const cause = error.detail ?? error.message;
  logger.error(`${subject(error.responseType)}: ${cause}`, failureFields(inv, status));
}
