/**
 * The Lambda proxy event of WebSocket routes (SPEC §F.3): one shape for CONNECT, MESSAGE and
 * DISCONNECT; headers and query parameters on `$connect` only, `body` on messages only. Its
 * `requestContext` is also what `$context` holds in WebSocket mapping templates.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-mapping-template-reference.html
 */
import type { Invocation, WebSocketEvent } from '../invocation.js';
import { clfTime } from './lambda-events.js';
import { pushOwn, setOwn } from '../../model/own.js';
import { jsonValue } from '../functions/json-value.js';

/** What every event of one connection shares. */
export interface ConnectionInfo {
  readonly connectionId: string;
  readonly apiId: string;
  readonly stage: string;
  readonly domainName: string;
  readonly connectedAt: number;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly stageVariables: Readonly<Record<string, string>>;
  /** `requestContext.authorizer` from the `$connect` authorizer (repeated on every event; TRAPS 40). */
  authorizer?: Readonly<Record<string, unknown>>;
  /** Extra `requestContext.identity` fields (AWS_IAM callers, the API key of `$connect`). */
  identity?: Readonly<Record<string, unknown>>;
}

/** `headers`/`multiValueHeaders` (client casing) from node's raw header list. */
export function headersOf(rawHeaders: readonly string[]): { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> } {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const value = rawHeaders[i + 1] as string;
    pushOwn(multiValueHeaders, name, value);
    setOwn(headers, name, value);
  }
  return { headers, multiValueHeaders };
}

/** `queryStringParameters`/`multiValueQueryStringParameters`; undefined when there is no query string. */
export function queryOf(rawQuery: string): { single: Record<string, string>; multi: Record<string, string[]> } | undefined {
  if (rawQuery === '') return undefined;
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    pushOwn(multi, name, value);
    setOwn(single, name, value);
  }
  return { single, multi };
}

/** The WebSocket event of an invocation (a programming error when there is none). */
export function webSocketEventOf(inv: Invocation): WebSocketEvent {
  if (!inv.websocket) throw new Error('not a WebSocket invocation');
  return inv.websocket;
}

/** `requestContext` of a WebSocket event (and `$context` of its templates), members in AWS's order. */
export function requestContextOf(inv: Invocation): Record<string, unknown> {
  const ws = webSocketEventOf(inv);
  const info = ws.connection;
  const context: Record<string, unknown> = { routeKey: ws.routeKey };
  if (ws.messageId !== undefined) context.messageId = ws.messageId;
  context.eventType = ws.eventType;
  context.extendedRequestId = inv.requestId;
  context.requestTime = clfTime(inv.requestTimeEpoch);
  context.messageDirection = 'IN';
  context.stage = info.stage;
  context.connectedAt = info.connectedAt;
  context.requestTimeEpoch = inv.requestTimeEpoch;
  const identity: Record<string, unknown> = info.identity ? { ...info.identity } : {};
  identity.sourceIp = info.sourceIp;
  identity.userAgent = info.userAgent;
  context.identity = identity;
  context.requestId = inv.requestId;
  context.domainName = info.domainName;
  context.connectionId = info.connectionId;
  context.apiId = info.apiId;
  if (info.authorizer) context.authorizer = info.authorizer;
  if (ws.disconnect) {
    context.disconnectStatusCode = ws.disconnect.statusCode;
    context.disconnectReason = ws.disconnect.reason;
  }
  return context;
}

/** The Lambda proxy event of one route invocation. */
export function buildWebSocketEvent(inv: Invocation): Record<string, unknown> {
  const ws = webSocketEventOf(inv);
  const event: Record<string, unknown> = {};
  if (ws.eventType === 'CONNECT') {
    const { headers, multiValueHeaders } = headersOf(inv.request.rawHeaders);
    event.headers = headers;
    event.multiValueHeaders = multiValueHeaders;
    const query = queryOf(inv.request.rawQueryString);
    if (query) {
      event.queryStringParameters = query.single;
      event.multiValueQueryStringParameters = query.multi;
    }
  }
  const requestContext = requestContextOf(inv);
  // The connection's authorizer context is shared by all its events; the function gets its own copy (it may change it).
  if (requestContext.authorizer !== undefined) requestContext.authorizer = jsonValue(requestContext.authorizer);
  event.requestContext = requestContext;
  if (ws.eventType === 'MESSAGE') event.body = (inv.body ?? Buffer.alloc(0)).toString('utf8');
  event.isBase64Encoded = false;
  if (Object.keys(ws.connection.stageVariables).length > 0) event.stageVariables = { ...ws.connection.stageVariables };
  return event;
}
