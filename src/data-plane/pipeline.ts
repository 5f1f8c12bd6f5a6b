/**
 * The HTTP API data plane: one Invocation per request through small stages.
 *
 *   request
 *     │
 *     ├─ request checks ....... 431 request line + header values > 10240 bytes, 400 unsafe path (request-path.ts)
 *     ├─ mutual TLS ........... 403 a custom domain with mutual TLS reached without its verified handshake (TLS listener on)
 *     ├─ resolve-stage ........ 404 {"message":"Not Found"} (no API / stage), 403 default endpoint disabled
 *     ├─ CORS preflight ....... 204 answered by the gateway (before routing and authorization)
 *     ├─ match-route .......... 404 (no route, or a route without a target)
 *     ├─ throttle-request ..... 429 {"message":"Too Many Requests"}
 *     ├─ authorize ............ 401 Unauthorized / 403 Forbidden / 500 authorizer failure
 *     ├─ integrate ............ 500 {"message":"Internal Server Error"} / 503 {"message":"Service Unavailable"}
 *     ├─ CORS decorate + send-response (apigw-requestid on every response)
 *     ├─ access-log ........... always, once a stage was resolved; then the server's request log (every request)
 *     └─ failure-log .......... a gateway-made 5xx: one server-log line with the cause (stages/failure-log.ts)
 *
 * A stage that answers early sets `inv.response`; a GatewayError thrown by any stage becomes
 * its JSON response in one place (`run`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import type { ConnectionSecurity } from '../tls/listener.js';
import { GatewayError, badRequest, forbidden, internalServerError, requestHeaderFieldsTooLarge, withTrace } from './errors.js';
import type { GatewayRequest, Invocation } from './invocation.js';
import { newRequestId } from './request-id.js';
import { pathProblem } from './request-path.js';
import type { StageRegistry } from './stage-registry.js';
import type { AccessLogSink } from './stages/access-log.js';
import { writeAccessLog } from './stages/access-log.js';
import type { RequestLog } from './stages/request-log.js';
import { authorize } from './stages/authorize.js';
import { integrated } from './stages/integrate.js';
import { matchRoute } from './stages/match-route.js';
import type { RequestTarget } from './stages/resolve-stage.js';
import { resolveStage, targetOf } from './stages/resolve-stage.js';
import { errorResponse, sendResponse } from './stages/send-response.js';
import { logFailure } from './stages/failure-log.js';
import { throttleRequest } from './stages/throttle-request.js';

/** What the data plane needs. */
export interface DataPlaneOptions {
  readonly registry: StageRegistry;
  readonly accessLog: AccessLogSink;
  readonly logger: Logger;
  /**
   * With a TLS listener: what its handshake established for a request's connection (undefined off
   * it). Custom domains with mutual TLS are then served only over their own verified handshakes.
   */
  readonly connectionSecurity?: (req: IncomingMessage) => ConnectionSecurity | undefined;
  /** The server's request log (every request, stage or not); absent = off. */
  readonly requestLog?: RequestLog;
}

function gatewayRequest(req: IncomingMessage, path: string): GatewayRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const hostHeader = req.headers.host ?? '';
  let domainName: string;
  if (hostHeader.charCodeAt(0) === 91 /* [ */) domainName = hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  else {
    const colon = hostHeader.indexOf(':');
    domainName = colon === -1 ? hostHeader : hostHeader.slice(0, colon);
  }
  const dot = domainName.indexOf('.');
  const remote = req.socket.remoteAddress ?? '';
  const method = req.method ?? 'GET';
  return {
    method: method.toUpperCase(),
    path,
    rawQueryString: q === -1 ? '' : url.slice(q + 1),
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    sourceIp: remote.startsWith('::ffff:') ? remote.slice(7) : remote,
    protocol: 'HTTP/1.1',
    domainName,
    domainPrefix: dot === -1 ? domainName : domainName.slice(0, dot),
  };
}

/** HTTP APIs' quota on the request line plus header values (http-api-quotas: 10240 bytes, not raisable). */
export const MAX_REQUEST_LINE_AND_HEADER_BYTES = 10240;

/** The request line and header values in bytes, as AWS's quota counts them (header names are not counted). */
function requestLineAndHeaderBytes(req: IncomingMessage, url: string): number {
  // Node's parser hands header text over as latin1, one character per byte: lengths are byte counts.
  let n = (req.method ?? '').length + url.length + 7 + req.httpVersion.length; // "M U HTTP/v"
  const raw = req.rawHeaders;
  for (let i = 1; i < raw.length; i += 2) n += (raw[i] as string).length;
  return n;
}

/** The error a request is refused with before any routing, or undefined. */
function refusal(req: IncomingMessage, url: string, rawPath: string): GatewayError | undefined {
  const bytes = requestLineAndHeaderBytes(req, url);
  if (bytes > MAX_REQUEST_LINE_AND_HEADER_BYTES) return requestHeaderFieldsTooLarge(`request line and header values are ${bytes} bytes`);
  const problem = pathProblem(rawPath);
  return problem === undefined ? undefined : badRequest(problem);
}

/**
 * Mutual TLS of a custom domain, when Gatehouse has a TLS listener: the request must arrive over a
 * handshake made for that domain, which verified the client's certificate (a handshake for another
 * name, or the plain listener, would skip the check). Sets `inv.clientCert`.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-mutual-tls.html
 */
function checkMutualTls(inv: Invocation, req: IncomingMessage, registry: StageRegistry, security: DataPlaneOptions['connectionSecurity']): void {
  const domain = security ? registry.domains.tlsOf(req.headers.host) : undefined;
  if (!security || domain?.truststoreUri === undefined) return;
  const connection = security(req);
  if (!connection) throw forbidden({}, `${domain.domainName} requires mutual TLS: it is served on the TLS listener only`);
  if (connection.domainName !== domain.domainName || !connection.clientCert) {
    throw forbidden({}, `the TLS connection was made for ${connection.serverName ?? 'no server name'}, not for the mutual TLS domain ${domain.domainName}`);
  }
  inv.clientCert = connection.clientCert;
}

/** The custom-domain target of a request, after any pending reload of the domains (read-your-writes). */
async function customDomainTarget(inv: Invocation, req: IncomingMessage, rawPath: string, registry: StageRegistry, options: DataPlaneOptions): Promise<RequestTarget | undefined> {
  await registry.domainsSettled();
  checkMutualTls(inv, req, registry, options.connectionSecurity);
  return registry.domains.resolve(req.headers.host, rawPath, req.rawHeaders);
}

/**
 * Runs one request through the stages and sends its response. One async function with the
 * stages' fast paths inline: a stage with nothing to wait for (no rebuild in flight, no throttle
 * wait, no authorizer) costs no promise, which matters on the Lambda path (every promise also pays
 * the function scope's async hooks there).
 */
async function handle(inv: Invocation, req: IncomingMessage, res: ServerResponse, rawPath: string, refused: GatewayError | undefined, executeApi: RequestTarget | undefined, options: DataPlaneOptions): Promise<void> {
  const { registry, logger } = options;
  let preflight = false;
  try {
    // A refused request is never routed: route matching and forwarding only ever see a path that passed pathProblem.
    if (refused) throw refused;
    const target = executeApi ?? (await customDomainTarget(inv, req, rawPath, registry, options));
    if (!target) throw new GatewayError(404, 'Not Found', 'NOT_FOUND');
    const settling = registry.settled(target.apiId);
    if (settling) await settling;
    resolveStage(inv, target, registry);
    const answer = inv.stage?.cors?.preflight(inv);
    if (answer) {
      inv.response = answer;
      preflight = true;
    } else {
      matchRoute(inv);
      const throttled = throttleRequest(inv);
      if (throttled) await throttled;
      const authorizing = authorize(inv);
      if (authorizing) await authorizing;
      const integration = inv.route?.integration;
      if (integration) {
        // integrate: the integration's response (inline: one async step less per request).
        const started = performance.now();
        try {
          inv.response = await integration.invoke(inv);
        } finally {
          integrated(inv, Math.round(performance.now() - started));
        }
      }
    }
  } catch (err) {
    // An unexpected error is a 500 like AWS's; the failure log below gives its stack.
    const error =
      err instanceof GatewayError ? err : withTrace(internalServerError(`unexpected error: ${err instanceof Error ? err.message : String(err)}`), err instanceof Error ? err.stack : undefined);
    inv.error = { message: error.message, responseType: error.responseType, ...(error.detail ? { detail: error.detail } : {}), ...(error.trace ? { trace: error.trace } : {}) };
    inv.response = errorResponse(error);
  }
  try {
    const response = inv.response ?? errorResponse(internalServerError('no response'));
    if (inv.stage?.cors && !preflight) inv.stage.cors.decorate(inv, response);
    if (!req.complete) req.resume();
    const sent = sendResponse(inv, res, response);
    if (sent) await sent;
    inv.responseEnd = Date.now();
    writeAccessLog(inv, options.accessLog);
    options.requestLog?.(inv);
    logFailure(logger, inv, response.statusCode);
  } catch (err) {
    logger.error('data plane: cannot send a response', { requestId: inv.requestId, error: String(err) });
    res.destroy();
  }
}

/** Creates the data plane's request handler. */
export function createDataPlane(options: DataPlaneOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q === -1 ? url : url.slice(0, q);
    const refused = refusal(req, url, rawPath);
    const executeApi = targetOf(req.headers.host, rawPath);
    const inv: Invocation = {
      requestId: newRequestId(),
      requestTimeEpoch: Date.now(),
      request: gatewayRequest(req, executeApi?.path ?? rawPath),
      incoming: req,
    };
    void handle(inv, req, res, rawPath, refused, executeApi, options);
  };
}
