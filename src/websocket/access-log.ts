/**
 * Access logs of WebSocket stages: one line per `$connect` (also refused ones), message and
 * `$disconnect`, rendered by the stage's compiled format with `$context.connectionId` and
 * `$context.eventType` set.
 */
import { FunctionTimeoutError } from '../data-plane/functions/invoker.js';
import type { CompiledRoute, Invocation } from '../data-plane/invocation.js';
import type { Connection, GatewayState } from './state.js';

/** One event of a connection as an access log sees it. */
export interface LogEntry {
  readonly requestId: string;
  readonly requestTimeEpoch: number;
  readonly routeKey: string;
  readonly eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
  readonly status: number;
  readonly integration?: { status?: number; latencyMs?: number; error?: string };
  readonly error?: { message: string; responseType: string; detail?: string };
}

/** Maps a failed integration call to what `$context.integration.*` shows. */
export const integrationFailure = (error: unknown, startedAt: number) => ({
  status: 500,
  latencyMs: Date.now() - startedAt,
  error: error instanceof FunctionTimeoutError ? 'timeout' : error instanceof Error ? error.message : String(error),
});

/** Writes the access-log line of one connection event (stages without `accessLogSettings` log nothing). */
export function writeLog(state: GatewayState, conn: Connection, entry: LogEntry): void {
  const log = conn.stage.accessLog;
  const sink = state.options.accessLog;
  if (!log || !sink) return;
  const inv: Invocation & { connectionId: string; eventType: string } = {
    requestId: entry.requestId,
    requestTimeEpoch: entry.requestTimeEpoch,
    request: conn.request,
    incoming: conn.incoming,
    stage: conn.stage,
    route: { routeKey: entry.routeKey } as CompiledRoute,
    response: { statusCode: entry.status, headers: {} },
    responseEnd: Date.now(),
    connectionId: conn.info.connectionId,
    eventType: entry.eventType,
    ...(entry.integration ? { integration: entry.integration } : {}),
    ...(entry.error ? { error: entry.error } : {}),
    ...(conn.info.authorizer ? { authorizer: { lambda: conn.info.authorizer, ...(typeof conn.info.authorizer.principalId === 'string' ? { principalId: conn.info.authorizer.principalId } : {}) } } : {}),
  };
  try {
    sink(log.destinationArn, log.render(inv));
  } catch (error) {
    state.options.logger.warn('websocket: access log failed', { apiId: conn.info.apiId, error: String(error) });
  }
}
