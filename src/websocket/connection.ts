/**
 * A connection's life after its handshake: its messages (route selection, throttling, request
 * validation, the integration, the two-way reply), its idle and maximum-duration timers, frame
 * limits, closes the gateway starts, and `$disconnect` once the socket is gone.
 */
import type { WebSocket } from 'ws';
import type { IntegrationRecord } from '../model/resources.js';
import { FunctionTimeoutError } from '../data-plane/functions/invoker.js';
import { newRequestId } from '../data-plane/request-id.js';
import { parseLambdaUri, resolveStageVariables } from '../model/lambda-arn.js';
import { integrationFailure, writeLog, type LogEntry } from './access-log.js';
import { buildEvent } from './events.js';
import { routeTableOf, selectRoute, type WsRoute } from './routes.js';
import { track, type Connection, type GatewayState } from './state.js';

/** AWS's idle timeout: 10 minutes without frames either way. */
export const IDLE_TIMEOUT_MS = 10 * 60_000;
/** AWS's maximum connection duration: 2 hours. */
export const MAX_DURATION_MS = 2 * 60 * 60_000;
/** Largest frame / message a client may send (SPEC §F.1). */
export const MAX_FRAME_BYTES = 32 * 1024;
export const MAX_MESSAGE_BYTES = 128 * 1024;

/** The error frame AWS sends on a message it cannot handle. */
export const errorFrame = (message: string, connectionId: string, requestId: string) => JSON.stringify({ message, connectionId, requestId });

/** Calls a route's integration; resolves to the Lambda proxy result (undefined for MOCK). Rejects on failure. */
export async function integrate(state: GatewayState, route: WsRoute, conn: Connection, event: Record<string, unknown>, requestId: string): Promise<Record<string, unknown> | undefined> {
  const integration: IntegrationRecord | undefined = route.integration;
  if (!integration) throw new Error(`route ${route.routeKey} has no integration`);
  if (integration.integrationType === 'MOCK') return undefined;
  if (integration.integrationType !== 'AWS_PROXY') throw new Error(`integration type ${integration.integrationType} is not supported for WebSocket APIs`);
  const ref = integration.integrationUri ? parseLambdaUri(integration.integrationUri) : undefined;
  if (!ref) throw new Error(`integration ${integration.integrationId}: not a Lambda function URI`);
  const resolved = resolveStageVariables(ref, conn.stage.stageVariables);
  if (resolved.missing.length > 0) throw new Error(`stage variable ${resolved.missing.join(', ')} not set`);
  const result = await state.options.invoker.invoke(resolved.ref, event, { timeoutMs: integration.timeoutInMillis || 29_000, requestId });
  let payload: unknown;
  try {
    payload = JSON.parse(result.payload.toString('utf8'));
  } catch {
    payload = undefined;
  }
  if (result.functionError) throw new Error(`function error (${result.functionError})`);
  return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {};
}

/** Marks the connection active (frames either way restart the idle timer). */
export function touch(conn: Connection): void {
  conn.lastActiveAt = Date.now();
  const idle = conn.timers[0];
  idle?.refresh();
}

/** Closes a connection from the gateway's side (idle, max duration, DeleteConnection, shutdown). */
export function serverClose(state: GatewayState, conn: Connection, code: number, reason: string): void {
  if (conn.state === 'closed') return;
  conn.serverClose ??= { code, reason };
  conn.state = 'closed';
  state.connections.delete(conn.info.connectionId);
  conn.ws?.close(code, reason);
  // A client that never answers the close frame is cut off.
  const ws = conn.ws;
  if (ws) setTimeout(() => ws.terminate(), 2000).unref();
}

function onMessage(state: GatewayState, conn: Connection, data: Buffer, isBinary: boolean): void {
  const { logger } = state.options;
  const ws = conn.ws as WebSocket;
  touch(conn);
  if (isBinary) return serverClose(state, conn, 1003, 'Binary frames are not supported');
  const text = data.toString('utf8');
  const requestId = newRequestId();
  const receivedAt = Date.now();
  const table = routeTableOf(conn.stage);
  const route = selectRoute(table, text);
  const log = (status: number, extra: Partial<LogEntry> = {}) =>
    writeLog(state, conn, { requestId, requestTimeEpoch: receivedAt, routeKey: route?.routeKey ?? '$default', eventType: 'MESSAGE', status, ...extra });
  const send = (frame: string) => {
    if (ws.readyState === ws.OPEN) {
      ws.send(frame);
      touch(conn);
    }
  };
  if (!route) {
    log(403, { error: { message: 'Forbidden', responseType: 'MISSING_AUTHENTICATION_TOKEN' } });
    return send(errorFrame('Forbidden', conn.info.connectionId, requestId));
  }
  // Throttling (stage route settings): the integration is not called.
  if (route.throttle && !route.throttle.take()) {
    log(429, { error: { message: 'Too Many Requests', responseType: 'THROTTLED' } });
    return send(errorFrame('Too Many Requests', conn.info.connectionId, requestId));
  }
  const messageId = newRequestId();
  // Request validation (SPEC §F.4): a body that fails the selected model never reaches the integration.
  if (route.validateMessage && !route.validateMessage(text)) {
    log(400, { error: { message: 'Bad request body', responseType: 'BAD_REQUEST_BODY' } });
    return send(JSON.stringify({ message: 'Bad request body', connectionId: conn.info.connectionId, messageId }));
  }
  const now = Date.now();
  const event = buildEvent(conn.info, { type: 'MESSAGE', body: text, messageId }, route.routeKey, requestId, now);
  void track(
    state,
    integrate(state, route, conn, event, requestId).then(
      (result) => {
        log(200, { integration: { status: typeof result?.statusCode === 'number' ? result.statusCode : 200, latencyMs: Date.now() - now } });
        if (!route.twoWay || !result) return;
        const body = result.body;
        if (typeof body === 'string') send(body);
        else if (body !== undefined && body !== null) send(JSON.stringify(body));
      },
      (error: unknown) => {
        log(500, { integration: integrationFailure(error, now), error: { message: 'Internal server error', responseType: 'INTEGRATION_FAILURE' } });
        logger.warn('websocket: integration failed', { apiId: conn.info.apiId, routeKey: route.routeKey, error: error instanceof FunctionTimeoutError ? 'timeout' : String(error) });
        send(errorFrame('Internal server error', conn.info.connectionId, requestId));
      },
    ),
  );
}

/** Runs `$disconnect` once the socket is gone (best effort; its result is ignored). */
export function onClose(state: GatewayState, conn: Connection, code: number, reason: Buffer): void {
  const { logger } = state.options;
  for (const t of conn.timers) clearTimeout(t);
  conn.state = 'closed';
  state.connections.delete(conn.info.connectionId);
  const route = routeTableOf(conn.stage).routes.get('$disconnect');
  const requestId = newRequestId();
  const now = Date.now();
  const log = (status: number, extra: Partial<LogEntry> = {}) => writeLog(state, conn, { requestId, requestTimeEpoch: now, routeKey: '$disconnect', eventType: 'DISCONNECT', status, ...extra });
  if (!route?.integration) return log(200);
  const statusCode = conn.serverClose?.code ?? (code === 1005 ? 1005 : code);
  const disconnectReason = conn.serverClose?.reason ?? reason.toString('utf8');
  const event = buildEvent(conn.info, { type: 'DISCONNECT', statusCode, reason: disconnectReason }, '$disconnect', requestId, now);
  void track(state, integrate(state, route, conn, event, requestId)).then(
    (result) => log(200, { integration: { status: typeof result?.statusCode === 'number' ? result.statusCode : 200, latencyMs: Date.now() - now } }),
    (error: unknown) => {
      log(500, { integration: integrationFailure(error, now), error: { message: 'Internal server error', responseType: 'INTEGRATION_FAILURE' } });
      logger.warn('websocket: $disconnect failed', { apiId: conn.info.apiId, error: String(error) });
    },
  );
}

/** Frames over 32 KB close with 1009 like whole messages over 128 KB (ws only checks the message total). */
function limitFrames(ws: WebSocket): void {
  const receiver = (ws as unknown as { _receiver?: { haveLength?: (cb: unknown) => unknown; _payloadLength: number; _opcode: number; _maxPayload: number } })._receiver;
  const original = receiver?.haveLength;
  if (!receiver || typeof original !== 'function') return;
  receiver.haveLength = function (this: typeof receiver, cb: unknown) {
    if (this._payloadLength > MAX_FRAME_BYTES && this._opcode < 0x08) this._maxPayload = MAX_FRAME_BYTES;
    return original.call(this, cb);
  };
}

/** Starts the life of an accepted connection on its socket: timers, frame limits, messages, close. */
export function openConnection(state: GatewayState, conn: Connection, ws: WebSocket): void {
  const idleMs = state.options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  const maxMs = state.options.maxDurationMs ?? MAX_DURATION_MS;
  conn.ws = ws;
  conn.state = 'open';
  conn.lastActiveAt = Date.now();
  limitFrames(ws);
  conn.timers.push(
    setTimeout(() => serverClose(state, conn, 1001, 'Going away'), idleMs).unref(),
    setTimeout(() => serverClose(state, conn, 1001, 'Going away'), maxMs).unref(),
  );
  ws.on('error', () => undefined);
  ws.on('message', (data: Buffer, isBinary: boolean) => onMessage(state, conn, data, isBinary));
  ws.on('pong', () => touch(conn));
  const closed = new Promise<void>((resolve) =>
    ws.on('close', (code: number, reason: Buffer) => {
      onClose(state, conn, code, reason);
      resolve();
    }),
  );
  state.sockets.add(closed);
  void closed.then(() => state.sockets.delete(closed));
}
