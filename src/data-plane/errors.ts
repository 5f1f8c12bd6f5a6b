/**
 * Errors the gateway itself answers on the data plane, with AWS's status and body for HTTP APIs
 * (`{"message": ...}`, SPEC §E.10). Gateway responses are not customisable on HTTP APIs.
 */

/** The kinds of gateway responses, as `$context.error.responseType` names them. */
export type GatewayResponseType =
  | 'NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'ACCESS_DENIED'
  | 'THROTTLED'
  | 'INTEGRATION_FAILURE'
  | 'INTEGRATION_TIMEOUT'
  | 'AUTHORIZER_FAILURE'
  | 'REQUEST_TOO_LARGE'
  | 'BAD_REQUEST'
  | 'BAD_REQUEST_BODY'
  | 'BAD_REQUEST_PARAMETERS'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'API_CONFIGURATION_ERROR';

/** A response the gateway produces instead of an integration's. */
export class GatewayError extends Error {
  override name = 'GatewayError';
  constructor(
    readonly statusCode: number,
    message: string,
    readonly responseType: GatewayResponseType,
    /** Extra response headers (`www-authenticate` on JWT failures). */
    readonly headers: Readonly<Record<string, string>> = {},
    /** What went wrong, for `$context.error`/`integrationErrorMessage` and logs; never sent to the client. */
    readonly detail?: string,
  ) {
    super(message);
  }

  /** The failing code's stack (a handler's trace, a load error's stack) for the server log; never sent to the client. */
  trace?: string;
}

/** Sets `error.trace` (when there is one) and returns `error`. */
export function withTrace<E extends GatewayError>(error: E, trace: string | undefined): E {
  if (trace) error.trace = trace;
  return error;
}

/** The stack of a thrown value's `cause` (a module's syntax error under a FunctionInvokeError), else its own. */
export function traceOf(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  return error.cause instanceof Error ? error.cause.stack : error.stack;
}

/** The `trace` lines of a Lambda error payload (`{"errorType","errorMessage","trace"}`), joined; undefined when absent. */
export function payloadTrace(payload: unknown): string | undefined {
  const trace = typeof payload === 'object' && payload !== null ? (payload as { trace?: unknown }).trace : undefined;
  return Array.isArray(trace) && trace.length > 0 ? trace.map(String).join('\n') : undefined;
}

/** 404 `{"message":"Not Found"}`: no stage, no route, or a route without a target. */
export const notFound = (detail?: string) => new GatewayError(404, 'Not Found', 'NOT_FOUND', {}, detail);
/** 401 `{"message":"Unauthorized"}`. */
export const unauthorized = (headers: Record<string, string> = {}, detail?: string) => new GatewayError(401, 'Unauthorized', 'UNAUTHORIZED', headers, detail);
/** 403 `{"message":"Forbidden"}`. */
export const forbidden = (headers: Record<string, string> = {}, detail?: string) => new GatewayError(403, 'Forbidden', 'ACCESS_DENIED', headers, detail);
/** 429 `{"message":"Too Many Requests"}`. */
export const tooManyRequests = () => new GatewayError(429, 'Too Many Requests', 'THROTTLED');
/** 500 `{"message":"Internal Server Error"}`: function error, bad proxy response, upstream failure. */
export const internalServerError = (detail?: string, responseType: GatewayResponseType = 'INTEGRATION_FAILURE') =>
  new GatewayError(500, 'Internal Server Error', responseType, {}, detail);
/** 503 `{"message":"Service Unavailable"}`: integration timeout (HTTP APIs; REST would say 504). */
export const serviceUnavailable = (detail?: string) => new GatewayError(503, 'Service Unavailable', 'INTEGRATION_TIMEOUT', {}, detail);
/** 400 `{"message":"Bad Request"}`: a request target or path that cannot be routed or forwarded safely. */
export const badRequest = (detail?: string) => new GatewayError(400, 'Bad Request', 'BAD_REQUEST', {}, detail);
/** 431 `{"message":"Request Header Fields Too Large"}`: request line and header values over 10240 bytes (http-api-quotas). */
export const requestHeaderFieldsTooLarge = (detail?: string) =>
  new GatewayError(431, 'Request Header Fields Too Large', 'REQUEST_TOO_LARGE', {}, detail);
/** 413 `{"message":"Request Entity Too Large"}`: a body over 10 MB. TODO(parity): AWS's exact body is unverified. */
export const requestTooLarge = () => new GatewayError(413, 'Request Entity Too Large', 'REQUEST_TOO_LARGE');
/** 415 `{"message":"Unsupported Media Type"}`: no request template for a message and `passthroughBehavior` forbids passing it through. */
export const unsupportedMediaType = (detail?: string) => new GatewayError(415, 'Unsupported Media Type', 'UNSUPPORTED_MEDIA_TYPE', {}, detail);
