/**
 * The handshake and `$connect` (SPEC §F.2): an upgrade for a WEBSOCKET API's stage is held while
 * `$connect` runs — throttling, required request parameters, API keys, the authorizer, then the
 * integration — and is accepted (with the subprotocol `$connect` chose) or refused with AWS's status.
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { newRequestId } from '../data-plane/request-id.js';
import { targetOf } from '../data-plane/stages/resolve-stage.js';
import { writeLog, integrationFailure, type LogEntry } from './access-log.js';
import { authorizeConnect, HandshakeRejection, invocationOf } from './auth.js';
import { newConnectionId } from './connection-id.js';
import { integrate, onClose, openConnection } from './connection.js';
import { buildEvent, type ConnectionInfo } from './events.js';
import { routeTableOf } from './routes.js';
import { splitStage, type Connection, type GatewayState } from './state.js';

/** Answers a refused handshake with a JSON body and closes the socket. */
export function rejectHandshake(socket: Duplex, status: number, body: string, headers: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`,
  );
  socket.once('finish', () => socket.destroy());
}

/** What the handshake needs besides the shared state. */
export interface Handshaker {
  readonly wss: WebSocketServer;
  /** The subprotocol `$connect` chose, per upgrade request (read by the server's `handleProtocols`). */
  readonly chosenProtocol: WeakMap<IncomingMessage, string>;
  /** Tables already warned about (once per compiled stage). */
  readonly warned: WeakSet<object>;
}

/** Handles one upgrade request; `fallback` serves upgrades that are not for a WebSocket API. */
export async function upgrade(state: GatewayState, hs: Handshaker, req: IncomingMessage, socket: Duplex, head: Buffer, fallback: () => void): Promise<void> {
  const { registry, invoker, logger } = state.options;
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q + 1);
  const target = targetOf(req.headers.host, rawPath);
  const isWebSocket = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
  if (!target || !isWebSocket) return fallback();
  await registry.settled(target.apiId);
  const stages = registry.get(target.apiId);
  const anyStage = stages ? [...stages.values()][0] : undefined;
  if (anyStage && anyStage.api.protocolType !== 'WEBSOCKET') return fallback();
  const { stageName } = splitStage(target.path);
  const stage = stages?.get(stageName);
  const notFound = JSON.stringify({ message: 'Not Found' });
  if (!stage || stage.api.protocolType !== 'WEBSOCKET') return rejectHandshake(socket, 404, notFound);
  if (stage.api.disableExecuteApiEndpoint) return rejectHandshake(socket, 403, JSON.stringify({ message: 'Forbidden' }));
  if (state.closing) return rejectHandshake(socket, 503, JSON.stringify({ message: 'Service Unavailable' }));

  const now = Date.now();
  const requestId = newRequestId();
  const hostHeader = req.headers.host ?? '';
  const domainName = target.path === rawPath ? hostHeader.replace(/:\d+$/, '') : `${target.apiId}.execute-api.localhost`;
  const info: ConnectionInfo = {
    connectionId: newConnectionId(),
    apiId: stage.apiId,
    stage: stage.stageName,
    domainName,
    connectedAt: now,
    sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '',
    userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : '',
    stageVariables: stage.stageVariables,
  };
  const request = invocationOf(req, stage, rawPath, rawQuery, requestId, now, info.sourceIp, domainName).request;
  const conn: Connection = { info, stage, request, incoming: req, state: 'connecting', lastActiveAt: now, timers: [] };
  state.connections.set(info.connectionId, conn);
  let connectIntegration: LogEntry['integration'];
  const logConnect = (status: number, error?: LogEntry['error']) =>
    writeLog(state, conn, { requestId, requestTimeEpoch: now, routeKey: '$connect', eventType: 'CONNECT', status, ...(connectIntegration ? { integration: connectIntegration } : {}), ...(error ? { error } : {}) });
  const fail = (status: number, body: string, detail: string, responseType = 'AUTHORIZER_FAILURE') => {
    state.connections.delete(info.connectionId);
    conn.state = 'closed';
    if (status >= 500 || detail.startsWith('apiKeyRequired')) logger.warn('websocket: handshake failed', { apiId: stage.apiId, status, detail });
    let message = detail;
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === 'string') message = parsed.message;
    } catch {
      /* keep the detail */
    }
    logConnect(status, { message, responseType, detail });
    rejectHandshake(socket, status, body);
  };
  const table = routeTableOf(stage);
  if (table.unsupported.length > 0 && !hs.warned.has(table)) {
    hs.warned.add(table);
    logger.warn('websocket: a stage uses features Gatehouse does not implement', { apiId: stage.apiId, stage: stage.stageName, unsupported: table.unsupported });
  }
  const connectRoute = table.routes.get('$connect');
  // Throttling of handshakes: over the limit the upgrade is refused before any authorizer or integration runs.
  if (table.connectThrottle && !table.connectThrottle.take()) return fail(429, JSON.stringify({ message: 'Too Many Requests' }), 'throttled', 'THROTTLED');
  // Required route request parameters (header / query string), checked before authorization.
  if (connectRoute && connectRoute.requiredParameters.length > 0) {
    const probe = invocationOf(req, stage, rawPath, rawQuery, requestId, now, info.sourceIp, domainName);
    const missing = connectRoute.requiredParameters.filter((p) => p.read(probe) === undefined).map((p) => p.name);
    if (missing.length > 0) {
      return fail(400, JSON.stringify({ message: `Missing required request parameters: [${missing.join(', ')}]` }), `missing required request parameters ${missing.join(', ')}`, 'BAD_REQUEST_PARAMETERS');
    }
  }
  // API keys live in REST's control plane, which Gatehouse has no store for: refuse rather than skip the check.
  if (connectRoute?.route.apiKeyRequired) return fail(403, JSON.stringify({ message: 'Forbidden' }), 'apiKeyRequired on $connect: API keys are not supported');
  if (connectRoute) {
    const connectEvent = () => buildEvent(info, { type: 'CONNECT', request: { rawHeaders: req.rawHeaders, rawQuery } }, '$connect', requestId, now);
    try {
      const auth = await authorizeConnect(
        connectRoute.route,
        stage,
        req,
        { rawPath, rawQuery, requestId, now, sourceIp: info.sourceIp, domainName, requestContext: connectEvent().requestContext as Record<string, unknown> },
        { invoker, cache: table.authorizerCache, ...(state.options.iamCredentials ? { iamCredentials: state.options.iamCredentials } : {}) },
      );
      if (auth.authorizer) info.authorizer = auth.authorizer;
      if (auth.iamIdentity) info.iamIdentity = auth.iamIdentity;
    } catch (error) {
      if (error instanceof HandshakeRejection) return fail(error.status, error.body, error.message, error.status === 401 ? 'UNAUTHORIZED' : error.status === 403 ? 'ACCESS_DENIED' : 'AUTHORIZER_FAILURE');
      return fail(500, JSON.stringify({ message: 'Internal Server Error' }), String(error));
    }
    if (connectRoute.integration) {
      let result: Record<string, unknown> | undefined;
      const startedAt = Date.now();
      try {
        result = await integrate(state, connectRoute, conn, connectEvent(), requestId);
      } catch (error) {
        connectIntegration = integrationFailure(error, startedAt);
        return fail(500, JSON.stringify({ message: 'Internal server error', connectionId: info.connectionId, requestId }), String(error), 'INTEGRATION_FAILURE');
      }
      const status = typeof result?.statusCode === 'number' ? result.statusCode : 200;
      connectIntegration = { status, latencyMs: Date.now() - startedAt };
      if (status < 200 || status > 299) {
        const body = typeof result?.body === 'string' ? result.body : '';
        return fail(status, body, `$connect answered ${status}`, 'INTEGRATION_FAILURE');
      }
      const headers = result?.headers;
      if (typeof headers === 'object' && headers !== null) {
        for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
          if (name.toLowerCase() === 'sec-websocket-protocol' && typeof value === 'string') hs.chosenProtocol.set(req, value);
        }
      }
    }
  }
  if (socket.destroyed || state.closing || conn.state === 'closed') {
    state.connections.delete(info.connectionId);
    conn.state = 'closed';
    if (!socket.destroyed) socket.destroy();
    // A client that left while `$connect` ran still gets its `$disconnect`.
    return onClose(state, conn, 1006, Buffer.alloc(0));
  }
  logConnect(200);
  hs.wss.handleUpgrade(req, socket, head, (ws) => openConnection(state, conn, ws));
}
