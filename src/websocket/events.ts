/**
 * The Lambda proxy event of WebSocket routes (SPEC §F.3): one shape for CONNECT, MESSAGE and
 * DISCONNECT; headers and query parameters on `$connect` only, `body` on messages only.
 */
import { clfTime } from '../data-plane/integrations/lambda-events.js';

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
  /** Extra `requestContext.identity` fields (AWS_IAM callers). */
  iamIdentity?: Readonly<Record<string, unknown>>;
}

/** The `$connect` request's headers and query string, as AWS passes them. */
export interface ConnectRequestParts {
  readonly rawHeaders: readonly string[];
  readonly rawQuery: string;
}

/** `headers`/`multiValueHeaders` (client casing) from node's raw header list. */
export function headersOf(rawHeaders: readonly string[]): { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> } {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const value = rawHeaders[i + 1] as string;
    (multiValueHeaders[name] ??= []).push(value);
    headers[name] = value;
  }
  return { headers, multiValueHeaders };
}

/** `queryStringParameters`/`multiValueQueryStringParameters`; undefined when there is no query string. */
export function queryOf(rawQuery: string): { single: Record<string, string>; multi: Record<string, string[]> } | undefined {
  if (rawQuery === '') return undefined;
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    (multi[name] ??= []).push(value);
    single[name] = value;
  }
  return { single, multi };
}

/** Builds the event of one route invocation. */
export function buildEvent(
  info: ConnectionInfo,
  kind: { readonly type: 'CONNECT'; readonly request: ConnectRequestParts } | { readonly type: 'MESSAGE'; readonly body: string; readonly messageId: string } | { readonly type: 'DISCONNECT'; readonly statusCode: number; readonly reason: string },
  routeKey: string,
  requestId: string,
  now: number,
): Record<string, unknown> {
  const requestContext: Record<string, unknown> = {
    routeKey,
    ...(kind.type === 'MESSAGE' ? { messageId: kind.messageId } : {}),
    eventType: kind.type,
    extendedRequestId: requestId,
    requestTime: clfTime(now),
    messageDirection: 'IN',
    stage: info.stage,
    connectedAt: info.connectedAt,
    requestTimeEpoch: now,
    identity: { ...(info.iamIdentity ?? {}), sourceIp: info.sourceIp, userAgent: info.userAgent },
    requestId,
    domainName: info.domainName,
    connectionId: info.connectionId,
    apiId: info.apiId,
    ...(info.authorizer ? { authorizer: info.authorizer } : {}),
    ...(kind.type === 'DISCONNECT' ? { disconnectStatusCode: kind.statusCode, disconnectReason: kind.reason } : {}),
  };
  const event: Record<string, unknown> = {};
  if (kind.type === 'CONNECT') {
    const { headers, multiValueHeaders } = headersOf(kind.request.rawHeaders);
    event.headers = headers;
    event.multiValueHeaders = multiValueHeaders;
    const query = queryOf(kind.request.rawQuery);
    if (query) {
      event.queryStringParameters = query.single;
      event.multiValueQueryStringParameters = query.multi;
    }
  }
  event.requestContext = requestContext;
  if (kind.type === 'MESSAGE') event.body = kind.body;
  event.isBase64Encoded = false;
  if (Object.keys(info.stageVariables).length > 0) event.stageVariables = { ...info.stageVariables };
  return event;
}
