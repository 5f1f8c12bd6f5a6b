/**
 * The events a Lambda proxy integration (`AWS_PROXY`) sends, payload format 1.0 and 2.0 (SPEC §E.3).
 * Pure: everything comes from the Invocation and the options.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import { isUtf8 } from 'node:buffer';
import { DEFAULT_ACCOUNT_ID } from '../../model/account-region.js';
import type { AuthorizerResult, Invocation } from '../invocation.js';
import { decodeQueryComponent } from '../query-string.js';
import { formatRequestTime } from '../context-variables.js';
import { setOwn } from '../../model/own.js';
import { jsonValue } from '../functions/json-value.js';
import type { ClientCertificate } from '../../tls/client-cert.js';

/** What the builders need beyond the Invocation. */
export interface LambdaEventOptions {
  /** The custom-domain API mapping key that selected the API (`v1` or `v1/pets`), when addressed through one. */
  readonly mappingKey?: string;
}

/** A payload format 2.0 event. Absent members are omitted. */
export interface LambdaEventV2 {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  pathParameters?: Record<string, string>;
  stageVariables?: Record<string, string>;
  body?: string;
  isBase64Encoded: boolean;
  requestContext: Record<string, unknown>;
}

/** A payload format 1.0 event. Absent members are null. */
export interface LambdaEventV1 {
  version: '1.0';
  resource: string;
  path: string;
  httpMethod: string;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
  requestContext: Record<string, unknown>;
  pathParameters: Record<string, string> | null;
  stageVariables: Record<string, string> | null;
  body: string | null;
  isBase64Encoded: boolean;
}

/** Builds the payload format 2.0 event. */
export function buildEventV2(inv: Invocation, options?: LambdaEventOptions): LambdaEventV2 {
  const { request, stage } = inv;
  if (!stage) throw new Error('Lambda event built before resolve-stage');
  const routeKey = inv.route?.routeKey ?? '$default';
  const rawPath = stripMappingKey(request.path, options?.mappingKey);
  // Header names as sent, lower-cased; repeats joined with commas; cookies taken out into `cookies`.
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const lower = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    if (lower === 'cookie') {
      for (const c of value.split(';')) {
        const trimmed = c.trim();
        if (trimmed) (cookies ??= []).push(trimmed);
      }
    } else if (Object.hasOwn(headers, lower)) headers[lower] = `${headers[lower]},${value}`;
    else setOwn(headers, lower, value);
  }
  const event: LambdaEventV2 = {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: request.rawQueryString,
  } as LambdaEventV2;
  if (cookies) event.cookies = cookies;
  event.headers = headers;
  const query = request.rawQueryString === '' ? undefined : parseQuery(request.rawQueryString);
  if (query) event.queryStringParameters = toObject(query, (v) => v.join(','));
  const authorizer = authorizerV2(inv.authorizer);
  const userAgent = request.headers['user-agent'];
  const requestContext: Record<string, unknown> = {
    accountId: stage.accountId ?? DEFAULT_ACCOUNT_ID,
    apiId: stage.apiId,
  };
  if (inv.clientCert) requestContext.authentication = { clientCert: clientCert(inv.clientCert) };
  if (authorizer) requestContext.authorizer = authorizer;
  requestContext.domainName = request.domainName;
  requestContext.domainPrefix = request.domainPrefix;
  requestContext.http = {
    method: request.method,
    path: rawPath,
    protocol: request.protocol,
    sourceIp: request.sourceIp,
    userAgent: (Array.isArray(userAgent) ? userAgent[0] : userAgent) ?? '',
  };
  requestContext.requestId = inv.requestId;
  requestContext.routeKey = routeKey;
  requestContext.stage = stage.stageName;
  requestContext.time = clfTime(inv.requestTimeEpoch);
  requestContext.timeEpoch = inv.requestTimeEpoch;
  event.requestContext = requestContext;
  const pathParameters = nonEmpty(inv.pathParameters);
  if (pathParameters) event.pathParameters = pathParameters;
  const stageVariables = nonEmpty(stage.stageVariables);
  if (stageVariables) event.stageVariables = stageVariables;
  const body = encodeBody(inv.body, request.headers);
  if (body) event.body = body.body;
  event.isBase64Encoded = body?.isBase64Encoded ?? false;
  return event;
}

/** Builds the payload format 1.0 event (REST-compatible). */
export function buildEventV1(inv: Invocation, _options: LambdaEventOptions = {}): LambdaEventV1 {
  const { request } = inv;
  const { apiId, stageName, routeKey } = parts(inv);
  const resource = routeKey === '$default' ? '$default' : routeKey.slice(routeKey.indexOf(' ') + 1);
  // Keyed by lower-case name: repeats may differ in case; they share the first-seen spelling.
  const multi = new Map<string, { name: string; values: string[] }>();
  forEachHeader(request.rawHeaders, (name, value) => {
    const seen = multi.get(name.toLowerCase());
    if (seen) seen.values.push(value);
    else multi.set(name.toLowerCase(), { name, values: [value] });
  });
  const entries = [...multi.values()];
  const query = parseQuery(request.rawQueryString);
  const body = encodeBody(inv.body, request.headers);
  const userAgent = header(request.headers['user-agent']) ?? null;
  const requestContext: Record<string, unknown> = {
    accountId: inv.stage?.accountId ?? DEFAULT_ACCOUNT_ID,
    apiId,
    domainName: request.domainName,
    domainPrefix: request.domainPrefix,
    extendedRequestId: inv.requestId,
    httpMethod: request.method,
    identity: identityV1(request.sourceIp, userAgent, inv.authorizer?.iam, inv.clientCert),
    path: request.path,
    protocol: request.protocol,
    requestId: inv.requestId,
    requestTime: clfTime(inv.requestTimeEpoch),
    requestTimeEpoch: inv.requestTimeEpoch,
    resourceId: routeKey,
    resourcePath: resource,
    stage: stageName,
  };
  const authorizer = authorizerV1(inv.authorizer);
  if (authorizer) requestContext.authorizer = authorizer;
  return {
    version: '1.0',
    resource,
    path: request.path,
    httpMethod: request.method,
    headers: Object.fromEntries(entries.map((h) => [h.name, h.values[h.values.length - 1] as string])),
    multiValueHeaders: Object.fromEntries(entries.map((h) => [h.name, h.values])),
    queryStringParameters: query ? toObject(query, (v) => v[v.length - 1] as string) : null,
    multiValueQueryStringParameters: query ? toObject(query, (v) => v) : null,
    requestContext,
    pathParameters: nonEmpty(inv.pathParameters) ?? null,
    stageVariables: nonEmpty(inv.stage?.stageVariables) ?? null,
    body: body?.body ?? null,
    isBase64Encoded: body?.isBase64Encoded ?? false,
  };
}

/** True when a body of this content type is sent to functions as text rather than base64. */
export function isTextContent(contentType: string | undefined, contentEncoding?: string): boolean {
  // A compressed body is bytes whatever its media type says.
  if (contentEncoding && contentEncoding.trim().toLowerCase() !== 'identity') return false;
  if (!contentType) return false;
  const type = (contentType.split(';')[0] as string).trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type === 'application/xml' ||
    type === 'application/x-www-form-urlencoded' ||
    type.endsWith('+json') ||
    type.endsWith('+xml') ||
    type.includes('javascript')
  );
}

/** `requestContext.time` (`dd/MMM/yyyy:HH:mm:ss +0000`), formatted once per second (shared with `$context.requestTime`). */
export const clfTime = formatRequestTime;

function parts(inv: Invocation): { apiId: string; stageName: string; routeKey: string } {
  if (!inv.stage) throw new Error('Lambda event built before resolve-stage');
  return { apiId: inv.stage.apiId, stageName: inv.stage.stageName, routeKey: inv.route?.routeKey ?? '$default' };
}

/** 2.0 `rawPath` leaves out the API mapping key (TRAPS 20); 1.0 `path` keeps it. */
function stripMappingKey(path: string, mappingKey: string | undefined): string {
  if (!mappingKey) return path;
  const prefix = `/${mappingKey}`;
  if (path === prefix) return '/';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path;
}

function forEachHeader(raw: readonly string[], fn: (name: string, value: string) => void): void {
  for (let i = 0; i + 1 < raw.length; i += 2) fn(raw[i] as string, raw[i + 1] as string);
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Query parameters decoded as a form would be (`+` is a space; AWS does so, aws/aws-cdk#19827);
 * a malformed escape is kept as written. Undefined when there are none.
 */
function parseQuery(raw: string): Map<string, string[]> | undefined {
  const out = new Map<string, string[]>();
  for (const pair of raw.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const name = decodeQueryComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeQueryComponent(pair.slice(eq + 1));
    const seen = out.get(name);
    if (seen) seen.push(value);
    else out.set(name, [value]);
  }
  return out.size > 0 ? out : undefined;
}


/** Client-chosen names (`__proto__`, `constructor`) must become plain own properties: Maps, then fromEntries. */
function toObject<T, U>(m: Map<string, T>, fn: (v: T) => U): Record<string, U> {
  return Object.fromEntries([...m].map(([k, v]) => [k, fn(v)]));
}

function nonEmpty(o: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (o === undefined) return undefined;
  for (const _ in o) return { ...o };
  return undefined;
}

/** Text bodies go as UTF-8 strings, everything else (and text that is not valid UTF-8) as base64. */
function encodeBody(body: Buffer | undefined, headers: Invocation['request']['headers']): { body: string; isBase64Encoded: boolean } | undefined {
  if (!body || body.length === 0) return undefined;
  if (isTextContent(header(headers['content-type']), header(headers['content-encoding'])) && isUtf8(body)) {
    return { body: body.toString('utf8'), isBase64Encoded: false };
  }
  return { body: body.toString('base64'), isBase64Encoded: true };
}

/*
 * The authorizer's result is shared (the authorizer caches, and the JWT authorizer remembers accepted
 * tokens), and in-process handlers get the event as is: the event gets its own deep copy.
 */
const copyOf = <T>(value: T): T => jsonValue(value) as T;

function authorizerV2(a: AuthorizerResult | undefined): Record<string, unknown> | undefined {
  if (a?.jwt) return { jwt: { claims: copyOf(a.jwt.claims), scopes: a.jwt.scopes ? [...a.jwt.scopes] : null } };
  // TODO(parity): where AWS puts an IAM-policy response's principalId in a 2.0 event is undocumented.
  if (a?.lambda) return { lambda: copyOf(a.lambda) };
  if (a?.iam) return { iam: copyOf(a.iam) };
  return undefined;
}

function authorizerV1(a: AuthorizerResult | undefined): Record<string, unknown> | undefined {
  if (a?.jwt) return { claims: copyOf(a.jwt.claims), scopes: a.jwt.scopes ? [...a.jwt.scopes] : null };
  if (a?.lambda || a?.principalId !== undefined) {
    const context: Record<string, unknown> = a.lambda ? copyOf(a.lambda) : {};
    if (a.principalId !== undefined) context.principalId = a.principalId;
    return context;
  }
  return undefined;
}

/** `clientCert` as a plain object in AWS's member order. */
function clientCert(cert: ClientCertificate): Record<string, unknown> {
  const { clientCertPem, subjectDN, issuerDN, serialNumber, validity } = cert;
  return { clientCertPem, subjectDN, issuerDN, serialNumber, validity: { notBefore: validity.notBefore, notAfter: validity.notAfter } };
}

/** 1.0 `requestContext.identity`: all null but the caller's address and agent, the IAM caller when signed, and the mutual TLS client certificate. */
function identityV1(
  sourceIp: string,
  userAgent: string | null,
  iam: Readonly<Record<string, unknown>> | undefined,
  cert: ClientCertificate | undefined,
): Record<string, unknown> {
  const cognito = iam?.cognitoIdentity as { amr?: unknown; identityId?: unknown; identityPoolId?: unknown } | null | undefined;
  return {
    accessKey: iam?.accessKey ?? null,
    accountId: iam?.accountId ?? null,
    caller: iam?.callerId ?? null,
    cognitoAmr: cognito?.amr ?? null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: cognito?.identityId ?? null,
    cognitoIdentityPoolId: cognito?.identityPoolId ?? null,
    principalOrgId: iam?.principalOrgId ?? null,
    sourceIp,
    user: iam?.userId ?? null,
    userAgent,
    userArn: iam?.userArn ?? null,
    ...(cert ? { clientCert: clientCert(cert) } : {}),
  };
}
