/**
 * The handshake and `$connect` (SPEC §F.2): an upgrade for a WEBSOCKET API's stage — on its
 * execute-api address or through a custom domain's API mapping — is held while `$connect` runs:
 * throttling, required request parameters, the authorizer, the API key, then the integration. It is
 * accepted (with the subprotocol `$connect` chose) or refused with AWS's status and body.
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { GatewayError, forbidden } from '../data-plane/errors.js';
import type { ConnectionInfo } from '../data-plane/integrations/websocket-events.js';
import type { CompiledStage, GatewayRequest, Invocation } from '../data-plane/invocation.js';
import { newRequestId } from '../data-plane/request-id.js';
import { logFailure } from '../data-plane/stages/failure-log.js';
import { targetOf } from '../data-plane/stages/resolve-stage.js';
import { errorOf, writeLog } from './access-log.js';
import { newConnectionId } from './connection-id.js';
import { asGatewayError, integrate, onClose, openConnection } from './connection.js';
import { invocationOf, splitStage, type Connection, type GatewayState } from './state.js';

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
  /** Stages already warned about (once per compiled stage). */
  readonly warned: WeakSet<object>;
}

/** Where an upgrade goes: an API's stage, and the domain name its events report. */
interface Target {
  readonly apiId: string;
  readonly stageName: string;
  readonly domainName: string;
  /** True on the execute-api address (where `disableExecuteApiEndpoint` applies). */
  readonly executeApi: boolean;
}

/** The execute-api address or custom domain mapping of an upgrade; undefined when it is neither. */
async function targetOfUpgrade(state: GatewayState, req: IncomingMessage, rawPath: string): Promise<Target | undefined> {
  const host = req.headers.host ?? '';
  const executeApi = targetOf(host, rawPath);
  if (executeApi) {
    // Path-style addressing reports the execute-api name the client would have used.
    const domainName = executeApi.path === rawPath ? host.replace(/:\d+$/, '') : `${executeApi.apiId}.execute-api.localhost`;
    return { apiId: executeApi.apiId, stageName: splitStage(executeApi.path).stageName, domainName, executeApi: true };
  }
  const { registry } = state.options;
  await registry.domainsSettled();
  const mapped = registry.domains.resolve(host, rawPath, req.rawHeaders);
  return mapped && { apiId: mapped.apiId, stageName: mapped.stageName, domainName: host.replace(/:\d+$/, '').toLowerCase(), executeApi: false };
}

/** The upgrade request as the data plane's request. */
function requestOf(req: IncomingMessage, rawPath: string, rawQuery: string, sourceIp: string, domainName: string): GatewayRequest {
  return {
    method: 'GET',
    path: rawPath,
    rawQueryString: rawQuery,
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    sourceIp,
    protocol: 'HTTP/1.1',
    domainName,
    domainPrefix: domainName.split('.')[0] ?? domainName,
  };
}

const json = (message: string, extra: Record<string, string> = {}) => JSON.stringify({ message, ...extra });

/** Handles one upgrade request; `fallback` serves upgrades that are not for a WebSocket API. */
export async function upgrade(state: GatewayState, hs: Handshaker, req: IncomingMessage, socket: Duplex, head: Buffer, fallback: () => void): Promise<void> {
  const { registry, logger } = state.options;
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q + 1);
  const isWebSocket = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
  const target = isWebSocket ? await targetOfUpgrade(state, req, rawPath) : undefined;
  if (!target) return fallback();
  await registry.settled(target.apiId);
  const stages = registry.get(target.apiId);
  const anyStage = stages ? [...stages.values()][0] : undefined;
  if (anyStage && anyStage.api.protocolType !== 'WEBSOCKET') return fallback();
  const stage = stages?.get(target.stageName);
  if (!stage?.websocket) return rejectHandshake(socket, 404, json('Not Found'));
  if (target.executeApi && stage.api.disableExecuteApiEndpoint) return rejectHandshake(socket, 403, json('Forbidden'));
  if (state.closing) return rejectHandshake(socket, 503, json('Service Unavailable'));
  if (stage.websocket.unsupported.length > 0 && !hs.warned.has(stage)) {
    hs.warned.add(stage);
    logger.warn('websocket: a stage uses features Gatehouse does not implement', { apiId: stage.apiId, stage: stage.stageName, unsupported: stage.websocket.unsupported });
  }

  const now = Date.now();
  const sourceIp = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '';
  const info: ConnectionInfo = {
    connectionId: newConnectionId(),
    apiId: stage.apiId,
    stage: stage.stageName,
    domainName: target.domainName,
    connectedAt: now,
    sourceIp,
    userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : '',
    stageVariables: stage.stageVariables,
  };
  const conn: Connection = { info, stage, request: requestOf(req, rawPath, rawQuery, sourceIp, target.domainName), incoming: req, state: 'connecting', lastActiveAt: now };
  state.connections.set(info.connectionId, conn);
  const inv = invocationOf(conn, { eventType: 'CONNECT', routeKey: '$connect', expectsReply: false }, newRequestId(), now);
  try {
    const protocol = await runConnect(state, stage, inv);
    if (protocol !== undefined) hs.chosenProtocol.set(req, protocol);
  } catch (error) {
    state.connections.delete(info.connectionId);
    conn.state = 'closed';
    const failure = asGatewayError(error);
    if (failure.responseType === 'ACCESS_DENIED') logger.warn('websocket: handshake failed', { apiId: stage.apiId, status: failure.statusCode, detail: failure.detail ?? failure.message });
    inv.error = errorOf(failure);
    if (failure.statusCode >= 500 || failure.responseType === 'INTEGRATION_TIMEOUT') logFailure(logger, inv, 500);
    // A `$connect` integration that failed or timed out refuses the handshake with 500, as every failure of it does.
    const status = failure.responseType === 'INTEGRATION_TIMEOUT' ? 500 : failure.statusCode;
    writeLog(state, inv, status);
    return rejectHandshake(socket, status, handshakeBody(failure, inv));
  }
  if (socket.destroyed || state.closing || conn.state === 'closed') {
    state.connections.delete(info.connectionId);
    conn.state = 'closed';
    if (!socket.destroyed) socket.destroy();
    // A client that left while `$connect` ran still gets its `$disconnect`.
    return onClose(state, conn, 1006, Buffer.alloc(0));
  }
  writeLog(state, inv, 200);
  hs.wss.handleUpgrade(req, socket, head, (ws) => openConnection(state, conn, ws));
}

/** The body of a refused handshake: the `$connect` integration's own answer, or the gateway's message. */
function handshakeBody(failure: GatewayError, inv: Invocation): string {
  if (failure instanceof ConnectRefused) return failure.body;
  if (failure.responseType === 'INTEGRATION_FAILURE' || failure.responseType === 'INTEGRATION_TIMEOUT') {
    return json('Internal server error', { connectionId: inv.websocket?.connection.connectionId ?? '', requestId: inv.requestId });
  }
  return json(failure.message);
}

/** `$connect` answered with a non-2xx status: the handshake is refused with it and its body. */
class ConnectRefused extends GatewayError {
  constructor(
    status: number,
    readonly body: string,
  ) {
    super(status, `$connect answered ${status}`, 'INTEGRATION_FAILURE', {}, `$connect answered ${status}`);
  }
}

/** Runs `$connect`'s checks, authorizer and integration; resolves to the chosen subprotocol, rejects with the refusal. */
async function runConnect(state: GatewayState, stage: CompiledStage, inv: Invocation): Promise<string | undefined> {
  const routing = stage.websocket;
  const route = routing?.routes.get('$connect');
  const info = inv.websocket?.connection as ConnectionInfo;
  // Throttling of handshakes: over the limit the upgrade is refused before any authorizer or integration runs.
  if (routing?.connectThrottle && !(await routing.connectThrottle.take())) throw new GatewayError(429, 'Too Many Requests', 'THROTTLED', {}, 'throttled');
  if (!route) return undefined;
  inv.route = route;
  // Required route request parameters (header / query string), checked before authorization.
  const missing = (route.websocket?.requiredParameters ?? []).filter((p) => p.read(inv) === undefined).map((p) => p.name);
  if (missing.length > 0) {
    throw new GatewayError(400, `Missing required request parameters: [${missing.join(', ')}]`, 'BAD_REQUEST_PARAMETERS', {}, `missing required request parameters ${missing.join(', ')}`);
  }
  if (route.authorizer) {
    const result = await route.authorizer.authorize(inv);
    if (result.lambda) info.authorizer = { ...result.lambda, ...(result.principalId !== undefined ? { principalId: result.principalId } : {}) };
    if (result.iam) {
      const iam = result.iam;
      info.identity = { ...info.identity, accessKey: iam.accessKey, accountId: iam.accountId, caller: iam.callerId, user: iam.userId, userArn: iam.userArn, cognitoIdentityId: null, cognitoIdentityPoolId: null };
    }
  }
  // API keys (after the authorizer, which may supply the key as usageIdentifierKey): 403 as AWS.
  if (route.route.apiKeyRequired) {
    const value = routing?.apiKeyOf(inv);
    const key = value === undefined ? undefined : state.options.apiKeys?.(value);
    if (!key) throw forbidden({}, value === undefined ? 'apiKeyRequired: no API key in the request' : 'apiKeyRequired: the API key is not one of this gateway');
    info.identity = { ...info.identity, apiKey: value, apiKeyId: key.id };
  }
  if (!route.integration) return undefined;
  const response = await integrate(route, inv);
  if (response.statusCode < 200 || response.statusCode > 299) {
    const body = response.body === undefined ? '' : typeof response.body === 'string' ? response.body : Buffer.isBuffer(response.body) ? response.body.toString('utf8') : '';
    throw new ConnectRefused(response.statusCode, body);
  }
  const protocol = response.headers['sec-websocket-protocol'];
  return typeof protocol === 'string' ? protocol : undefined;
}
