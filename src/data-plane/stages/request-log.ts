/**
 * request-log: the server's own line per data-plane request (beside the stages' AWS access logs):
 * method, path, status, latency, API and stage, matched route, integration, authorizer decision and
 * the gateway's reason for an error. Computed from the finished Invocation at the access-log step
 * (about a microsecond); the lines of one event-loop turn go out in one `write`, so the system call
 * is shared by the requests that finished together.
 */
import type { LogStream, Paint } from '../../logger.js';
import { clockTime } from '../../logger.js';
import type { Invocation } from '../invocation.js';

/** Receives every finished data-plane request. */
export type RequestLog = (inv: Invocation) => void;

/** What a request log line says. */
export interface RequestLogEntry {
  readonly requestId: string;
  /** The HTTP method; `WS CONNECT`, `WS MESSAGE`, `WS DISCONNECT` for WebSocket events. */
  readonly method: string;
  /** Path and query as received. */
  readonly path: string;
  readonly status: number;
  readonly latencyMs: number;
  readonly apiId?: string;
  readonly stage?: string;
  readonly routeKey?: string;
  /** `AWS_PROXY pets` (the function name), `HTTP_PROXY GET https://...`. */
  readonly integration?: string;
  /** `JWT allow`, `CUSTOM deny`, `AWS_IAM error`, `JWT not evaluated`; absent for routes without authorization. */
  readonly authorizer?: string;
  /** The gateway's reason for an error response (`no route matches GET /x`). */
  readonly error?: string;
}

/**
 * The authorizer's decision: allow, deny (401/403 before the integration), error (500), or
 * undefined (the route has no authorizer, or it was not evaluated). The metrics count it too.
 */
export function authorizerDecision(inv: Invocation, status: number): 'allow' | 'deny' | 'error' | undefined {
  const type = inv.route?.route?.authorizationType;
  if (!type || type === 'NONE') return undefined;
  if (inv.authorizer) return 'allow';
  if (inv.integration === undefined && inv.error !== undefined) {
    if (status === 401 || status === 403) return 'deny';
    if (status >= 500) return 'error';
  }
  return undefined;
}

/** The decision as the log line says it: `JWT allow`, `CUSTOM deny`, `AWS_IAM not evaluated`. */
function decision(inv: Invocation, status: number): string | undefined {
  const type = inv.route?.route?.authorizationType;
  if (!type || type === 'NONE') return undefined;
  return `${type} ${authorizerDecision(inv, status) ?? 'not evaluated'}`;
}

/** The entry of a finished invocation. */
export function requestLogEntry(inv: Invocation): RequestLogEntry {
  const status = inv.response?.statusCode ?? 500;
  const stage = inv.stage;
  const integration = inv.route?.integrationLabel;
  const authorizer = decision(inv, status);
  // WebSocket events (src/websocket/) carry their event type; their path is the connection's.
  const eventType = inv.websocket?.eventType;
  const error = inv.error ? (inv.error.detail ? `${inv.error.message}: ${inv.error.detail}` : inv.error.message) : undefined;
  return {
    requestId: inv.requestId,
    method: eventType ? `WS ${eventType}` : inv.request.method,
    path: inv.incoming.url ?? inv.request.path,
    status,
    latencyMs: (inv.responseEnd ?? Date.now()) - inv.requestTimeEpoch,
    ...(stage ? { apiId: stage.apiId, stage: stage.stageName } : {}),
    ...(inv.route ? { routeKey: inv.route.routeKey } : {}),
    ...(integration ? { integration } : {}),
    ...(authorizer ? { authorizer } : {}),
    ...(error ? { error } : {}),
  };
}

const MAX_PATH = 200;

/** One readable line: `12:00:01.123 200 GET /path 3ms  api/stage  GET /pets/{id} → AWS_PROXY pets  JWT allow`. */
export function prettyRequestLine(p: Paint, e: RequestLogEntry, time: number): string {
  const colour = e.status >= 500 ? p.red : e.status >= 400 ? p.yellow : e.status >= 300 ? p.cyan : p.green;
  const path = e.path.length > MAX_PATH ? `${e.path.slice(0, MAX_PATH)}…` : e.path;
  let line = `${p.dim(clockTime(time))} ${colour(String(e.status))} ${e.method} ${path} ${p.dim(`${e.latencyMs}ms`)}`;
  if (e.apiId !== undefined) line += `  ${p.dim(`${e.apiId}/${e.stage ?? ''}`)}`;
  if (e.routeKey !== undefined) line += `  ${e.routeKey}${e.integration ? ` → ${e.integration}` : ''}`;
  if (e.authorizer !== undefined) line += `  ${p.dim('auth:')} ${e.authorizer}`;
  if (e.error !== undefined) line += `  ${p.dim('—')} ${e.error}`;
  return `${line}\n`;
}

/** Lines of one event-loop turn gathered into one write (a write is a system call: ~4 µs, more than the line). */
function batched(stream: LogStream): { write(line: string): void; flush(): void } {
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending === '') return;
    const text = pending;
    pending = '';
    stream.write(text);
  };
  return {
    write(line) {
      pending += line;
      if (pending.length >= 16_384) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

/** A request log writing `pretty` or `json` lines to `stream`, at most one write per line; `flush` writes what is pending. */
export function createRequestLog(format: 'pretty' | 'json', stream: LogStream, p: Paint): RequestLog & { flush(): void } {
  const out = batched(stream);
  const log =
    format === 'pretty'
      ? (inv: Invocation) => out.write(prettyRequestLine(p, requestLogEntry(inv), inv.responseEnd ?? Date.now()))
      : (inv: Invocation) => out.write(jsonRequestLine(requestLogEntry(inv), inv.responseEnd ?? Date.now()));
  return Object.assign(log, { flush: out.flush });
}

const q = JSON.stringify;

/** The JSON line, written out field by field (half the cost of stringifying a spread object). */
export function jsonRequestLine(e: RequestLogEntry, time: number): string {
  let line = `{"time":"${new Date(time).toISOString()}","level":"info","message":"request","requestId":${q(e.requestId)},"method":${q(e.method)},"path":${q(e.path)},"status":${e.status},"latencyMs":${e.latencyMs}`;
  if (e.apiId !== undefined) line += `,"apiId":${q(e.apiId)},"stage":${q(e.stage)}`;
  if (e.routeKey !== undefined) line += `,"routeKey":${q(e.routeKey)}`;
  if (e.integration !== undefined) line += `,"integration":${q(e.integration)}`;
  if (e.authorizer !== undefined) line += `,"authorizer":${q(e.authorizer)}`;
  if (e.error !== undefined) line += `,"error":${q(e.error)}`;
  return `${line}}\n`;
}
