/**
 * Access logs of WebSocket stages: one line per `$connect` (also refused ones), message and
 * `$disconnect`, rendered by the stage's compiled format from the event's invocation
 * (`$context.connectionId`, `$context.eventType` included).
 */
import type { GatewayError } from '../data-plane/errors.js';
import type { Invocation } from '../data-plane/invocation.js';
import type { GatewayState } from './state.js';

/** The error of a refused event as `$context.error.*` shows it (WebSocket APIs say "Internal server error", TRAPS 42). */
export const errorOf = (error: GatewayError) => ({
  message: error.statusCode >= 500 ? 'Internal server error' : error.message,
  responseType: error.responseType,
  ...(error.detail ? { detail: error.detail } : {}),
  ...(error.trace ? { trace: error.trace } : {}),
});

/**
 * Writes the access-log line of one connection event with its status (stages without `accessLogSettings`
 * log nothing), and gives the event to the server's request log when there is one.
 */
export function writeLog(state: GatewayState, inv: Invocation, status: number): void {
  const log = inv.stage?.accessLog;
  const sink = state.options.accessLog;
  const requestLog = state.options.requestLog;
  if ((!log || !sink) && !requestLog) return;
  const connection = inv.websocket?.connection;
  inv.response = { statusCode: status, headers: {} };
  inv.responseEnd = Date.now();
  if (connection?.authorizer) {
    const principalId = connection.authorizer.principalId;
    inv.authorizer = { lambda: connection.authorizer, ...(typeof principalId === 'string' ? { principalId } : {}) };
  }
  inv.route ??= { routeKey: inv.websocket?.routeKey ?? '$default' } as Invocation['route'];
  requestLog?.(inv);
  if (!log || !sink) return;
  try {
    sink(log.destinationArn, log.render(inv));
  } catch (error) {
    state.options.logger.warn('websocket: access log failed', { apiId: connection?.apiId, error: String(error) });
  }
}
