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
 * its JSON response in one place (`failed`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import type { ConnectionSecurity } from '../tls/listener.js';
import { endEmptyBody, readEmptyBody } from './integrations/body.js';
import { GatewayError, badRequest, forbidden, internalServerError, requestHeaderFieldsTooLarge, withTrace } from './errors.js';
import type { GatewayRequest, GatewayResponse, IntegrationDone, Invocation } from './invocation.js';
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
 * Runs one request through the stages and sends its response. The stages run as plain calls while
 * none has anything to wait for (no rebuild in flight, no throttle wait, no authorizer), and a
 * Lambda integration tells its outcome to a callback (`invokeThen`): a request to an in-process
 * function then makes two promises, the handler's own and one reaction to it, which matters because
 * every promise also pays the function scope's async hooks (functions/function-scope.ts).
 */
function handle(inv: Invocation, req: IncomingMessage, res: ServerResponse, rawPath: string, refused: GatewayError | undefined, executeApi: RequestTarget | undefined, options: DataPlaneOptions): void {
  let routed: boolean | Promise<boolean>;
  try {
    routed = routeRequest(inv, req, rawPath, refused, executeApi, options);
  } catch (err) {
    failed(inv, err);
    return respond(inv, req, res, options, false);
  }
  if (typeof routed === 'boolean') return integrate(inv, req, res, options, routed);
  routed.then(
    (preflight) => integrate(inv, req, res, options, preflight),
    (err: unknown) => {
      failed(inv, err);
      respond(inv, req, res, options, false);
    },
  );
}

/**
 * Request checks, stage, CORS preflight, route, throttle and authorizer: true when a preflight
 * answered (`inv.response`), false when the route's integration is next; a promise only when a
 * stage has to wait. A GatewayError thrown (or rejected) by any stage becomes its response.
 */
function routeRequest(inv: Invocation, req: IncomingMessage, rawPath: string, refused: GatewayError | undefined, executeApi: RequestTarget | undefined, options: DataPlaneOptions): boolean | Promise<boolean> {
  // A refused request is never routed: route matching and forwarding only ever see a path that passed pathProblem.
  if (refused) throw refused;
  if (executeApi) return toTarget(inv, executeApi, options.registry);
  return customDomainTarget(inv, req, rawPath, options.registry, options).then((target) => toTarget(inv, target, options.registry));
}

function toTarget(inv: Invocation, target: RequestTarget | undefined, registry: StageRegistry): boolean | Promise<boolean> {
  if (!target) throw new GatewayError(404, 'Not Found', 'NOT_FOUND');
  const settling = registry.settled(target.apiId);
  if (settling) return settling.then(() => toRoute(inv, target, registry));
  return toRoute(inv, target, registry);
}

function toRoute(inv: Invocation, target: RequestTarget, registry: StageRegistry): boolean | Promise<boolean> {
  resolveStage(inv, target, registry);
  const answer = inv.stage?.cors?.preflight(inv);
  if (answer) {
    inv.response = answer;
    return true;
  }
  matchRoute(inv);
  const throttled = throttleRequest(inv);
  if (throttled) return throttled.then(() => toAuthorized(inv));
  return toAuthorized(inv);
}

function toAuthorized(inv: Invocation): false | Promise<false> {
  const authorizing = authorize(inv);
  return authorizing ? authorizing.then(() => false as const) : false;
}

/** What was thrown or rejected, as `done`'s error: `undefined` there would tell a success (the 500 `failed` makes of it). */
const thrown = (err: unknown): unknown => (err === undefined ? internalServerError('unexpected error: undefined') : err);

/** integrate: the route's integration's response, then the response is sent. */
function integrate(inv: Invocation, req: IncomingMessage, res: ServerResponse, options: DataPlaneOptions, preflight: boolean): void {
  const integration = preflight ? undefined : inv.route?.integration;
  if (!integration) return respond(inv, req, res, options, preflight);
  const started = performance.now();
  // One closure per request: told the integration's answer or its error, once.
  const done: IntegrationDone = (err, answer) => {
    if (err === undefined) inv.response = answer as GatewayResponse;
    // Measured before an error response is set: its status is the gateway's, not the integration's.
    integrated(inv, Math.round(performance.now() - started));
    if (err !== undefined) failed(inv, err);
    respond(inv, req, res, options, false);
  };
  try {
    if (integration.invokeThen) integration.invokeThen(inv, done);
    else integration.invoke(inv).then((answer) => done(undefined, answer), (err: unknown) => done(thrown(err)));
  } catch (err) {
    // An integration that throws instead of rejecting: the same error response.
    done(thrown(err));
  }
}

/** A stage's error as the response: a GatewayError's own, anything else a 500 like AWS's (the failure log gives its stack). */
function failed(inv: Invocation, err: unknown): void {
  const error = err instanceof GatewayError ? err : withTrace(internalServerError(`unexpected error: ${err instanceof Error ? err.message : String(err)}`), err instanceof Error ? err.stack : undefined);
  inv.error = { message: error.message, responseType: error.responseType, ...(error.detail ? { detail: error.detail } : {}), ...(error.trace ? { trace: error.trace } : {}) };
  inv.response = errorResponse(error);
}

/** CORS decorate, send-response, then the access log, the request log and the failure log. */
function respond(inv: Invocation, req: IncomingMessage, res: ServerResponse, options: DataPlaneOptions, preflight: boolean): void {
  try {
    const response = inv.response ?? errorResponse(internalServerError('no response'));
    if (inv.stage?.cors && !preflight) inv.stage.cors.decorate(inv, response);
    if (!req.complete) req.resume();
    else endEmptyBody(req);
    const sent = sendResponse(inv, res, response);
    if (!sent) return logged(inv, options, response.statusCode);
    sent.then(
      () => logged(inv, options, response.statusCode),
      (err: unknown) => cannotSend(inv, res, options, err),
    );
  } catch (err) {
    cannotSend(inv, res, options, err);
  }
}

function logged(inv: Invocation, options: DataPlaneOptions, statusCode: number): void {
  try {
    inv.responseEnd = Date.now();
    writeAccessLog(inv, options.accessLog);
    options.requestLog?.(inv);
    logFailure(options.logger, inv, statusCode);
  } catch (err) {
    options.logger.error('data plane: cannot log a response', { requestId: inv.requestId, error: String(err) });
  }
}

function cannotSend(inv: Invocation, res: ServerResponse, options: DataPlaneOptions, err: unknown): void {
  options.logger.error('data plane: cannot send a response', { requestId: inv.requestId, error: String(err) });
  res.destroy();
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
    readEmptyBody(req);
    handle(inv, req, res, rawPath, refused, executeApi, options);
  };
}
