/**
 * The WebSocket data plane (SPEC §F): upgrades for WEBSOCKET APIs on execute-api hosts (and the
 * path-style prefix), `$connect`/`$disconnect`/message routing to Lambda proxy and MOCK
 * integrations, two-way responses, frame limits, idle / max-duration timeouts, and the
 * `@connections` management API on the same host.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { headersFromRaw, verifyRequest } from '../auth/sigv4.js';
import type { IntegrationRecord } from '../model/resources.js';
import { FunctionTimeoutError, type FunctionInvoker } from '../data-plane/functions/invoker.js';
import type { CompiledRoute, CompiledStage, GatewayRequest, Invocation } from '../data-plane/invocation.js';
import { newRequestId } from '../data-plane/request-id.js';
import type { StageRegistry } from '../data-plane/stage-registry.js';
import type { AccessLogSink } from '../data-plane/stages/access-log.js';
import { targetOf } from '../data-plane/stages/resolve-stage.js';
import type { Logger } from '../logger.js';
import { parseLambdaUri, resolveStageVariables } from '../model/lambda-arn.js';
import type { IamDirectory } from '../auth/iam-callers.js';
import { authorizeConnect, HandshakeRejection, invocationOf, manageConnectionsDenial } from './auth.js';
import { CONNECTION_ID, newConnectionId } from './connection-id.js';
import { buildEvent, type ConnectionInfo } from './events.js';
import { routeTableOf, selectRoute, type WsRoute } from './routes.js';

/** AWS's idle timeout: 10 minutes without frames either way. */
export const IDLE_TIMEOUT_MS = 10 * 60_000;
/** AWS's maximum connection duration: 2 hours. */
export const MAX_DURATION_MS = 2 * 60 * 60_000;
/** Largest frame / message a client may send (SPEC §F.1). */
export const MAX_FRAME_BYTES = 32 * 1024;
export const MAX_MESSAGE_BYTES = 128 * 1024;
/** Largest PostToConnection body. */
export const MAX_POST_BYTES = 128 * 1024;

/** What the gateway needs. */
export interface WebSocketGatewayOptions {
  readonly registry: StageRegistry;
  readonly invoker: FunctionInvoker;
  readonly logger: Logger;
  /** Configured access keys: AWS_IAM on `$connect`, and SigV4 on @connections when set. */
  readonly iamCredentials?: (accessKeyId: string) => string | undefined;
  /** The configured keys with their callers' policies (`$connect` and @connections permissions). */
  readonly iamDirectory?: IamDirectory;
  readonly idleTimeoutMs?: number;
  readonly maxDurationMs?: number;
  /** Receives one access-log line per `$connect`, message and `$disconnect` of stages with `accessLogSettings`. */
  readonly accessLog?: AccessLogSink;
}

/** The WebSocket side of a server. */
export interface WebSocketGateway {
  /** Handles an `upgrade` event; calls `fallback` for upgrades that are not for a WebSocket API. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, fallback: () => void): void;
  /** True when `req` is an @connections call (then it is answered here, or by `fallback` if its API is not a WebSocket API). */
  handleRequest(req: IncomingMessage, res: ServerResponse, fallback: () => void): boolean;
  /** Number of open connections. */
  readonly size: number;
  /** Closes every connection (1001), waits (bounded) for their `$disconnect`. */
  close(): Promise<void>;
}

interface Connection {
  readonly info: ConnectionInfo;
  readonly stage: CompiledStage;
  /** The upgrade request (access logs render `$context.*` from it for every event of the connection). */
  readonly request: GatewayRequest;
  readonly incoming: IncomingMessage;
  state: 'connecting' | 'open' | 'closed';
  ws?: WebSocket;
  lastActiveAt: number;
  /** Status code of a close the gateway started (idle, max duration, DeleteConnection, shutdown). */
  serverClose?: { code: number; reason: string };
  timers: NodeJS.Timeout[];
}

const CONNECTIONS_PATH = /^\/([^/]+)\/(?:@|%40)connections\/([^/]+)$/i;

/** The stage name and the rest of a raw data-plane path (`/prod/x` → `prod`). */
function splitStage(path: string): { stageName: string; rest: string } {
  const end = path.indexOf('/', 1);
  const first = end === -1 ? path.slice(1) : path.slice(1, end);
  let stageName = first;
  try {
    stageName = decodeURIComponent(first);
  } catch {
    /* keep raw */
  }
  return { stageName, rest: end === -1 ? '' : path.slice(end) };
}

function rejectHandshake(socket: Duplex, status: number, body: string, headers: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`,
  );
  socket.once('finish', () => socket.destroy());
}

const errorFrame = (message: string, connectionId: string, requestId: string) => JSON.stringify({ message, connectionId, requestId });

/** One event of a connection as an access log sees it. */
interface LogEntry {
  readonly requestId: string;
  readonly requestTimeEpoch: number;
  readonly routeKey: string;
  readonly eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
  readonly status: number;
  readonly integration?: { status?: number; latencyMs?: number; error?: string };
  readonly error?: { message: string; responseType: string; detail?: string };
}

/** Maps a failed integration call to what `$context.integration.*` shows. */
const integrationFailure = (error: unknown, startedAt: number) => ({
  status: 500,
  latencyMs: Date.now() - startedAt,
  error: error instanceof FunctionTimeoutError ? 'timeout' : error instanceof Error ? error.message : String(error),
});

/** Creates the gateway; one per server. */
export function createWebSocketGateway(options: WebSocketGatewayOptions): WebSocketGateway {
  const { registry, invoker, logger } = options;
  const idleMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  const maxMs = options.maxDurationMs ?? MAX_DURATION_MS;
  const connections = new Map<string, Connection>();
  const pending = new Set<Promise<unknown>>();
  /** Resolves when each upgraded socket has closed. */
  const sockets = new Set<Promise<void>>();
  /** The subprotocol `$connect` chose, per upgrade request. */
  const chosenProtocol = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: (_protocols, req) => chosenProtocol.get(req) ?? false,
  });
  let closing = false;
  const warned = new WeakSet<object>();

  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    void p.finally(() => pending.delete(p)).catch(() => undefined);
    return p;
  };

  /** Calls a route's integration; resolves to the Lambda proxy result (undefined for MOCK). Rejects on failure. */
  async function integrate(route: WsRoute, conn: Connection, event: Record<string, unknown>, requestId: string): Promise<Record<string, unknown> | undefined> {
    const integration: IntegrationRecord | undefined = route.integration;
    if (!integration) throw new Error(`route ${route.routeKey} has no integration`);
    if (integration.integrationType === 'MOCK') return undefined;
    if (integration.integrationType !== 'AWS_PROXY') throw new Error(`integration type ${integration.integrationType} is not supported for WebSocket APIs`);
    const ref = integration.integrationUri ? parseLambdaUri(integration.integrationUri) : undefined;
    if (!ref) throw new Error(`integration ${integration.integrationId}: not a Lambda function URI`);
    const resolved = resolveStageVariables(ref, conn.stage.stageVariables);
    if (resolved.missing.length > 0) throw new Error(`stage variable ${resolved.missing.join(', ')} not set`);
    const result = await invoker.invoke(resolved.ref, event, { timeoutMs: integration.timeoutInMillis || 29_000, requestId });
    let payload: unknown;
    try {
      payload = JSON.parse(result.payload.toString('utf8'));
    } catch {
      payload = undefined;
    }
    if (result.functionError) throw new Error(`function error (${result.functionError})`);
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {};
  }

  /** Writes the access-log line of one connection event (stages without `accessLogSettings` log nothing). */
  function writeLog(conn: Connection, entry: LogEntry): void {
    const log = conn.stage.accessLog;
    if (!log || !options.accessLog) return;
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
      options.accessLog(log.destinationArn, log.render(inv));
    } catch (error) {
      logger.warn('websocket: access log failed', { apiId: conn.info.apiId, error: String(error) });
    }
  }

  function touch(conn: Connection): void {
    conn.lastActiveAt = Date.now();
    const idle = conn.timers[0];
    idle?.refresh();
  }

  function serverClose(conn: Connection, code: number, reason: string): void {
    if (conn.state === 'closed') return;
    conn.serverClose ??= { code, reason };
    conn.state = 'closed';
    connections.delete(conn.info.connectionId);
    conn.ws?.close(code, reason);
    // A client that never answers the close frame is cut off.
    const ws = conn.ws;
    if (ws) setTimeout(() => ws.terminate(), 2000).unref();
  }

  function onMessage(conn: Connection, data: Buffer, isBinary: boolean): void {
    const ws = conn.ws as WebSocket;
    touch(conn);
    if (isBinary) return serverClose(conn, 1003, 'Binary frames are not supported');
    const text = data.toString('utf8');
    const requestId = newRequestId();
    const receivedAt = Date.now();
    const table = routeTableOf(conn.stage);
    const route = selectRoute(table, text);
    const log = (status: number, extra: Partial<LogEntry> = {}) =>
      writeLog(conn, { requestId, requestTimeEpoch: receivedAt, routeKey: route?.routeKey ?? '$default', eventType: 'MESSAGE', status, ...extra });
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
      integrate(route, conn, event, requestId).then(
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

  function onClose(conn: Connection, code: number, reason: Buffer): void {
    for (const t of conn.timers) clearTimeout(t);
    conn.state = 'closed';
    connections.delete(conn.info.connectionId);
    const route = routeTableOf(conn.stage).routes.get('$disconnect');
    const requestId = newRequestId();
    const now = Date.now();
    const log = (status: number, extra: Partial<LogEntry> = {}) => writeLog(conn, { requestId, requestTimeEpoch: now, routeKey: '$disconnect', eventType: 'DISCONNECT', status, ...extra });
    if (!route?.integration) return log(200);
    const statusCode = conn.serverClose?.code ?? (code === 1005 ? 1005 : code);
    const disconnectReason = conn.serverClose?.reason ?? reason.toString('utf8');
    const event = buildEvent(conn.info, { type: 'DISCONNECT', statusCode, reason: disconnectReason }, '$disconnect', requestId, now);
    void track(integrate(route, conn, event, requestId)).then(
      (result) => log(200, { integration: { status: typeof result?.statusCode === 'number' ? result.statusCode : 200, latencyMs: Date.now() - now } }),
      (error: unknown) => {
        log(500, { integration: integrationFailure(error, now), error: { message: 'Internal server error', responseType: 'INTEGRATION_FAILURE' } });
        logger.warn('websocket: $disconnect failed', { apiId: conn.info.apiId, error: String(error) });
      },
    );
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, fallback: () => void): Promise<void> {
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
    if (closing) return rejectHandshake(socket, 503, JSON.stringify({ message: 'Service Unavailable' }));

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
    connections.set(info.connectionId, conn);
    let connectIntegration: LogEntry['integration'];
    const logConnect = (status: number, error?: LogEntry['error']) =>
      writeLog(conn, { requestId, requestTimeEpoch: now, routeKey: '$connect', eventType: 'CONNECT', status, ...(connectIntegration ? { integration: connectIntegration } : {}), ...(error ? { error } : {}) });
    const fail = (status: number, body: string, detail: string, responseType = 'AUTHORIZER_FAILURE') => {
      connections.delete(info.connectionId);
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
    if (table.unsupported.length > 0 && !warned.has(table)) {
      warned.add(table);
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
          {
            invoker,
            cache: table.authorizerCache,
            ...(options.iamCredentials ? { iamCredentials: options.iamCredentials } : {}),
            ...(options.iamDirectory ? { iamDirectory: options.iamDirectory } : {}),
          },
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
          result = await integrate(connectRoute, conn, connectEvent(), requestId);
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
            if (name.toLowerCase() === 'sec-websocket-protocol' && typeof value === 'string') chosenProtocol.set(req, value);
          }
        }
      }
    }
    if (socket.destroyed || closing || conn.state === 'closed') {
      connections.delete(info.connectionId);
      conn.state = 'closed';
      if (!socket.destroyed) socket.destroy();
      return onDisconnectedEarly(conn);
    }
    logConnect(200);
    wss.handleUpgrade(req, socket, head, (ws) => {
      conn.ws = ws;
      conn.state = 'open';
      conn.lastActiveAt = Date.now();
      limitFrames(ws);
      conn.timers.push(
        setTimeout(() => serverClose(conn, 1001, 'Going away'), idleMs).unref(),
        setTimeout(() => serverClose(conn, 1001, 'Going away'), maxMs).unref(),
      );
      ws.on('error', () => undefined);
      ws.on('message', (data: Buffer, isBinary: boolean) => onMessage(conn, data, isBinary));
      ws.on('pong', () => touch(conn));
      const closed = new Promise<void>((resolve) =>
        ws.on('close', (code: number, reason: Buffer) => {
          onClose(conn, code, reason);
          resolve();
        }),
      );
      sockets.add(closed);
      void closed.then(() => sockets.delete(closed));
    });
  }

  /** A client that left while `$connect` ran still gets its `$disconnect`. */
  function onDisconnectedEarly(conn: Connection): void {
    onClose(conn, 1006, Buffer.alloc(0));
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

  async function manage(req: IncomingMessage, res: ServerResponse, apiId: string, stageName: string, rawId: string, fallback: () => void): Promise<void> {
    await registry.settled(apiId);
    const stage = registry.get(apiId)?.get(stageName);
    if (stage && stage.api.protocolType !== 'WEBSOCKET') return fallback();
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_POST_BYTES) tooLarge = true;
      else chunks.push(chunk);
    }
    const body = Buffer.concat(chunks);
    const reply = (status: number, type: string | undefined, payload?: unknown) => {
      const text = payload === undefined ? '' : JSON.stringify(payload);
      res.writeHead(status, {
        ...(text ? { 'content-type': 'application/json' } : {}),
        'content-length': Buffer.byteLength(text),
        ...(type ? { 'x-amzn-ErrorType': type } : {}),
        'x-amzn-RequestId': newRequestId(),
      });
      res.end(text);
    };
    let signer: string | undefined;
    if (options.iamCredentials) {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const outcome = verifyRequest(
        { method: req.method ?? 'GET', rawPath: q === -1 ? url : url.slice(0, q), rawQuery: q === -1 ? '' : url.slice(q + 1), headers: headersFromRaw(req.rawHeaders), ...(tooLarge ? {} : { body }) },
        // Signed for the API's region; before the stage is known, any region (the 403 below follows).
        { service: 'execute-api', ...(stage ? { region: stage.region } : {}), lookup: options.iamCredentials, allowUnsignedPayload: true },
      );
      if (!outcome.ok) return reply(403, 'ForbiddenException', { message: outcome.message });
      signer = outcome.accessKeyId;
    }
    if (!stage) return reply(403, 'ForbiddenException', { message: 'Forbidden' });
    let id = rawId;
    try {
      id = decodeURIComponent(rawId);
    } catch {
      /* malformed escapes: the id is invalid */
    }
    // execute-api's denials carry `Message` (REST-style body), as quoted in aws/aws-cdk#18410 and the Knowledge Center.
    const denied = signer === undefined ? undefined : manageConnectionsDenial(options.iamDirectory, signer, stage, req, id, Date.now());
    if (denied !== undefined) return reply(403, 'AccessDeniedException', { Message: denied });
    if (!CONNECTION_ID.test(id)) return reply(400, 'BadRequestException', { message: `Invalid connectionId: ${id}` });
    const conn = connections.get(id);
    const live = conn && conn.state === 'open' && conn.info.apiId === apiId && conn.info.stage === stage.stageName ? conn : undefined;
    const method = req.method ?? 'GET';
    if (method !== 'POST' && method !== 'GET' && method !== 'DELETE') return reply(405, 'MethodNotAllowedException', { message: `Method ${method} is not allowed` });
    if (method === 'POST' && tooLarge) return reply(413, 'PayloadTooLargeException', { message: `Request entity too large: the limit is ${MAX_POST_BYTES} bytes` });
    if (!live?.ws) return reply(410, 'GoneException', { message: `Connection ${id} is gone` });
    if (method === 'POST') {
      live.ws.send(body.toString('utf8'));
      touch(live);
      return reply(200, undefined);
    }
    if (method === 'GET') {
      return reply(200, undefined, {
        connectedAt: new Date(live.info.connectedAt).toISOString(),
        identity: { sourceIp: live.info.sourceIp, userAgent: live.info.userAgent },
        lastActiveAt: new Date(live.lastActiveAt).toISOString(),
      });
    }
    serverClose(live, 1000, '');
    return reply(204, undefined);
  }

  return {
    get size() {
      return connections.size;
    },
    handleUpgrade(req, socket, head, fallback) {
      socket.on('error', () => undefined);
      upgrade(req, socket, head, fallback).catch((error: unknown) => {
        logger.error('websocket: upgrade failed', { error: error instanceof Error ? error.stack : String(error) });
        rejectHandshake(socket, 500, JSON.stringify({ message: 'Internal Server Error' }));
      });
    },
    handleRequest(req, res, fallback) {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const target = targetOf(req.headers.host, q === -1 ? url : url.slice(0, q));
      if (!target) return false;
      const m = CONNECTIONS_PATH.exec(target.path);
      if (!m) return false;
      const { stageName } = splitStage(target.path);
      manage(req, res, target.apiId, stageName, m[2] as string, fallback).catch((error: unknown) => {
        logger.error('websocket: @connections failed', { error: error instanceof Error ? error.stack : String(error) });
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json', 'x-amzn-ErrorType': 'InternalServerErrorException' });
          res.end(JSON.stringify({ message: 'Internal server error' }));
        } else res.destroy();
      });
      return true;
    },
    async close() {
      closing = true;
      for (const conn of [...connections.values()]) {
        if (conn.state === 'open') serverClose(conn, 1001, 'Going away');
      }
      // Give clients a moment to answer the close frames (then serverClose cuts them off), and $disconnect a moment to run.
      const deadline = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());
      await Promise.race([Promise.all([...sockets]), deadline(2500)]);
      await Promise.race([Promise.all([...pending]), deadline(1000)]);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
