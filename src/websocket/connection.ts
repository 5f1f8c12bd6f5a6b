/**
 * A connection's life after its handshake: its messages (route selection, throttling, request
 * validation, the route's integration, the two-way reply), its idle and maximum-duration timers,
 * frame limits, closes the gateway starts, and `$disconnect` once the socket is gone.
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { GatewayError, internalServerError, withTrace } from '../data-plane/errors.js';
import { logFailure } from '../data-plane/stages/failure-log.js';
import type { CompiledRoute, GatewayResponse, Invocation } from '../data-plane/invocation.js';
import { newRequestId } from '../data-plane/request-id.js';
import { errorOf, writeLog } from './access-log.js';
import { invocationOf, running, type Connection, type GatewayState } from './state.js';

/** AWS's idle timeout: 10 minutes without frames either way. */
export const IDLE_TIMEOUT_MS = 10 * 60_000;
/** AWS's maximum connection duration: 2 hours. */
export const MAX_DURATION_MS = 2 * 60 * 60_000;
/** Largest frame / message a client may send (SPEC §F.1). */
export const MAX_FRAME_BYTES = 32 * 1024;
export const MAX_MESSAGE_BYTES = 128 * 1024;

/** The error frame AWS sends on a message it cannot handle. */
export const errorFrame = (message: string, connectionId: string, requestId: string) => JSON.stringify({ message, connectionId, requestId });

/** Calls a route's integration with one event; a route without one fails as an integration would. */
export function integrate(route: CompiledRoute, inv: Invocation): Promise<GatewayResponse> {
  inv.route = route;
  if (!route.integration) return Promise.reject(internalServerError(`route ${route.routeKey} has no integration`));
  return route.integration.invoke(inv);
}

/** A failure as a GatewayError (unexpected errors are integration failures). */
export const asGatewayError = (error: unknown): GatewayError =>
  error instanceof GatewayError ? error : withTrace(internalServerError(error instanceof Error ? error.message : String(error)), error instanceof Error ? error.stack : undefined);

/** Marks the connection active (frames either way restart its idle time). */
export function touch(conn: Connection): void {
  conn.lastActiveAt = Date.now();
}

/**
 * Idle timeout and maximum duration: one sweep per gateway looks at every open connection, instead
 * of two timers per connection (memory per idle connection, and a timer refresh per frame). The sweep
 * runs every tenth of the shorter limit, at most every second: a connection closes within that much
 * after its limit (AWS's are 10 minutes and 2 hours).
 */
function sweepInterval(state: GatewayState): number {
  const idleMs = state.options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  const maxMs = state.options.maxDurationMs ?? MAX_DURATION_MS;
  return Math.max(10, Math.min(1000, Math.floor(Math.min(idleMs, maxMs) / 10)));
}

function startSweep(state: GatewayState): void {
  if (state.sweep) return;
  const idleMs = state.options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  const maxMs = state.options.maxDurationMs ?? MAX_DURATION_MS;
  state.sweep = setInterval(() => {
    const now = Date.now();
    for (const conn of state.connections.values()) {
      if (conn.state === 'open' && (now - conn.lastActiveAt >= idleMs || now - conn.info.connectedAt >= maxMs)) serverClose(state, conn, 1001, 'Going away');
    }
  }, sweepInterval(state)).unref();
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

/**
 * Sends a frame on an open connection (false when it is no longer open). Frames sent to one connection in one turn of the event loop
 * leave in one write: the first corks the socket, which is uncorked once the turn's ticks and promise
 * jobs have run. Answers to messages that arrived in one read are sent in one turn, so they cost one
 * system call, not one each (it was a quarter of the CPU of the WebSocket bench row); none waits
 * longer than the turn it was sent in.
 */
export function sendFrame(conn: Connection, frame: string | Buffer, binary: boolean): boolean {
  const ws = conn.ws;
  // A connection the client (or the gateway) has begun to close takes no more frames.
  if (!ws || ws.readyState !== ws.OPEN) return false;
  const socket = conn.incoming.socket;
  if (socket.writableCorked === 0) {
    socket.cork();
    process.nextTick(uncork, socket);
  }
  ws.send(frame, { binary });
  touch(conn);
  return true;
}

const uncork = (socket: Socket) => socket.uncork();

function onMessage(state: GatewayState, conn: Connection, data: Buffer, isBinary: boolean): void {
  const { logger } = state.options;
  touch(conn);
  if (isBinary) return serverClose(state, conn, 1003, 'Binary frames are not supported');
  const text = data.toString('utf8');
  const requestId = newRequestId();
  const routing = conn.stage.websocket;
  const route = routing?.selectRoute(text);
  // CONVERT_TO_BINARY replies go out as binary frames; everything else as text.
  const send = (frame: string | Buffer) => sendFrame(conn, frame, typeof frame !== 'string' && !isUtf8(frame));
  const inv = invocationOf(conn, { eventType: 'MESSAGE', routeKey: route?.routeKey ?? '$default', messageId: newRequestId(), expectsReply: route?.websocket?.twoWay === true }, requestId, Date.now(), data);
  const refuse = (error: GatewayError, frame: string) => {
    inv.error = errorOf(error);
    writeLog(state, inv, error.statusCode);
    send(frame);
  };
  if (!route) return refuse(new GatewayError(403, 'Forbidden', 'MISSING_AUTHENTICATION_TOKEN'), errorFrame('Forbidden', conn.info.connectionId, requestId));
  inv.route = route;
  const matched = route;
  // Throttling (stage route settings): the integration is not called. A cluster bucket (--redis) answers asynchronously.
  const throttled = () => refuse(new GatewayError(429, 'Too Many Requests', 'THROTTLED'), errorFrame('Too Many Requests', conn.info.connectionId, requestId));
  const taken = route.throttle?.take();
  if (taken === false) return throttled();
  const failed = (error: unknown) => {
    const failure = asGatewayError(error);
    const status = failure.statusCode >= 500 ? 500 : failure.statusCode;
    inv.error = errorOf(failure);
    writeLog(state, inv, status);
    logFailure(logger, inv, status);
    // Gateway errors of the integration request (no template, 415) say so; everything else is AWS's "Internal server error" (TRAPS 42).
    send(errorFrame(status === 500 ? 'Internal server error' : failure.message, conn.info.connectionId, requestId));
  };
  // A cluster bucket that fails is a failure like an integration's.
  if (taken instanceof Promise) return running(state, taken, (allowed) => (allowed ? deliver() : throttled()), failed);
  deliver();

  function deliver(): void {
    // A cluster throttle answers later: the connection may have closed meanwhile ($disconnect has run).
    if (conn.state !== 'open') return;
    // Request validation (SPEC §F.4): a body that fails the selected model never reaches the integration.
    if (matched.websocket?.validateMessage && !matched.websocket.validateMessage(text)) {
      return refuse(new GatewayError(400, 'Bad request body', 'BAD_REQUEST_BODY'), JSON.stringify({ message: 'Bad request body', connectionId: conn.info.connectionId, messageId: inv.websocket?.messageId }));
    }
    running(
      state,
      integrate(matched, inv),
      (response) => {
        writeLog(state, inv, 200);
        if (!matched.websocket?.twoWay || response.body === undefined) return;
        const body = response.body;
        if (typeof body === 'string') send(body);
        else if (Buffer.isBuffer(body)) send(body);
      },
      failed,
    );
  }
}

/** Runs `$disconnect` once the socket is gone (best effort; its result is ignored). */
export function onClose(state: GatewayState, conn: Connection, code: number, reason: Buffer): void {
  const { logger } = state.options;
  conn.state = 'closed';
  state.connections.delete(conn.info.connectionId);
  state.options.cluster?.closed(conn.info.connectionId);
  const route = conn.stage.websocket?.routes.get('$disconnect');
  const statusCode = conn.serverClose?.code ?? (code === 1005 ? 1005 : code);
  const disconnectReason = conn.serverClose?.reason ?? reason.toString('utf8');
  const inv = invocationOf(conn, { eventType: 'DISCONNECT', routeKey: '$disconnect', disconnect: { statusCode, reason: disconnectReason }, expectsReply: false }, newRequestId(), Date.now());
  if (!route?.integration) return writeLog(state, inv, 200);
  running(
    state,
    integrate(route, inv),
    () => writeLog(state, inv, 200),
    (error: unknown) => {
      const failure = asGatewayError(error);
      inv.error = errorOf(failure);
      writeLog(state, inv, 500);
      logFailure(logger, inv, 500);
    },
  );
}

/** Frames over 32 KB close with 1009 like whole messages over 128 KB (ws only checks the message total). */
function limitFrames(ws: WebSocket): void {
  const receiver = (ws as unknown as { _receiver?: FrameReceiver })._receiver;
  if (!receiver || typeof receiver.haveLength !== 'function') return;
  // Every receiver shares ws's prototype method: one wrapper for all of them, no closure per connection.
  originalHaveLength ??= receiver.haveLength;
  if (receiver.haveLength === originalHaveLength) receiver.haveLength = limitedHaveLength;
}

type FrameReceiver = { haveLength?: (this: FrameReceiver, cb: unknown) => unknown; _payloadLength: number; _opcode: number; _maxPayload: number };
let originalHaveLength: FrameReceiver['haveLength'];
function limitedHaveLength(this: FrameReceiver, cb: unknown): unknown {
  if (this._payloadLength > MAX_FRAME_BYTES && this._opcode < 0x08) this._maxPayload = MAX_FRAME_BYTES;
  return (originalHaveLength as NonNullable<FrameReceiver['haveLength']>).call(this, cb);
}

/** Starts the life of an accepted connection on its socket: idle and duration limits, frame limits, messages, close. */
export function openConnection(state: GatewayState, conn: Connection, ws: WebSocket): void {
  conn.ws = ws;
  conn.state = 'open';
  conn.lastActiveAt = Date.now();
  state.options.cluster?.opened(conn.info.connectionId, conn.info.apiId, conn.info.stage);
  limitFrames(ws);
  startSweep(state);
  // The upgrade request is not kept for the connection's life (it holds a stream's state): its
  // events need its URL only (request log, failure log); the socket stays reachable through `ws`.
  conn.incoming = { url: conn.incoming.url, headers: conn.incoming.headers, rawHeaders: conn.incoming.rawHeaders, socket: conn.incoming.socket } as IncomingMessage;
  ws.on('error', ignore);
  ws.on('message', (data: Buffer, isBinary: boolean) => onMessage(state, conn, data, isBinary));
  ws.on('pong', () => touch(conn));
  ws.on('close', (code: number, reason: Buffer) => {
    state.sockets.delete(ws);
    onClose(state, conn, code, reason);
  });
  state.sockets.add(ws);
}

const ignore = (): void => undefined;
