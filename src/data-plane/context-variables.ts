/**
 * `$context.<name>` variables of HTTP APIs, for access-log templates and parameter mapping.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
 *
 * Names are resolved once (`compileContextVariable`) into accessors, so a template pays a property read per
 * variable per request. A variable that does not apply to the request (no authorizer, no integration call yet,
 * an unknown name) yields `undefined`; access logs render that as `-`.
 */
import type { Invocation } from './invocation.js';

/** Reads one context variable of a request. */
export type ContextAccessor = (inv: Invocation) => string | undefined;


const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

// Requests arriving in the same second share the formatted time (access logs format it for every request).
let lastSecond = -1;
let lastFormatted = '';

/** `$context.requestTime`: CLF `dd/MMM/yyyy:HH:mm:ss +0000` in UTC, e.g. `12/Mar/2020:19:03:58 +0000`. */
export function formatRequestTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second === lastSecond) return lastFormatted;
  const d = new Date(second * 1000);
  const formatted =
    `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()] as string}/${d.getUTCFullYear()}:` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
  lastSecond = second;
  lastFormatted = formatted;
  return formatted;
}

const str = (v: number | undefined): string | undefined => (v === undefined ? undefined : String(v));

/** Authorizer context values are strings, numbers or booleans; maps and lists (payload 2.0) render as JSON. */
function stringify(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v as number | boolean);
}

/** Bytes of the response body: counted by send-response, else known from the body or its content-length. */
function responseLength(inv: Invocation): string | undefined {
  if (inv.responseLength !== undefined) return String(inv.responseLength);
  const res = inv.response;
  if (res === undefined) return undefined;
  const body = res.body;
  if (body === undefined) return '0';
  if (typeof body === 'string') return String(Buffer.byteLength(body));
  if (Buffer.isBuffer(body)) return String(body.length);
  const declared = res.headers['content-length'];
  return typeof declared === 'string' ? declared : undefined;
}

const AUTHORIZER_ERRORS = new Set(['AUTHORIZER_FAILURE', 'UNAUTHORIZED', 'ACCESS_DENIED']);

const iam = (key: string): ContextAccessor => (inv) => stringify(inv.authorizer?.iam?.[key]);
const cognito = (key: string): ContextAccessor => (inv) => {
  const identity = inv.authorizer?.iam?.['cognitoIdentity'];
  return identity && typeof identity === 'object' ? stringify((identity as Record<string, unknown>)[key]) : undefined;
};

const integrationStatus: ContextAccessor = (inv) => str(inv.integration?.status);
const integrationLatency: ContextAccessor = (inv) => str(inv.integration?.latencyMs);
const integrationError: ContextAccessor = (inv) => inv.integration?.error;
const integrationRequestId: ContextAccessor = (inv) => inv.integration?.requestId;
const NONE: ContextAccessor = () => undefined;

/** WebSocket APIs: the connection event of the invocation. */
const webSocketField =
  (key: 'connectionId' | 'eventType'): ContextAccessor =>
  (inv) =>
    key === 'eventType' ? inv.websocket?.eventType : inv.websocket?.connection.connectionId;

/**
 * Variables with a fixed name. `integration.status`, `integration.integrationStatus` and `integrationStatus` read the
 * same status: AWS tells them apart only for Lambda proxy (function statusCode vs Lambda service status), and the
 * Invocation records one status per integration call.
 */
const FIXED: ReadonlyMap<string, ContextAccessor> = new Map<string, ContextAccessor>([
  ['accountId', (inv) => inv.stage?.accountId],
  ['apiId', (inv) => inv.stage?.apiId],
  ['connectionId', webSocketField('connectionId')],
  ['eventType', webSocketField('eventType')],
  ['authorizer.principalId', (inv) => inv.authorizer?.principalId],
  ['authorizer.error', (inv) => (inv.error && AUTHORIZER_ERRORS.has(inv.error.responseType) ? (inv.error.detail ?? inv.error.message) : undefined)],
  ['authorizer.claims', NONE], // "Calling $context.authorizer.claims returns null."
  ['awsEndpointRequestId', integrationRequestId],
  ['awsEndpointRequestId2', NONE],
  ['customDomain.basePathMatched', (inv) => inv.basePathMatched],
  ['customDomain.routingRuleIdMatched', (inv) => inv.routingRuleIdMatched],
  ['dataProcessed', NONE], // TODO(parity): needs request and response byte counters.
  ['domainName', (inv) => inv.request.domainName],
  ['domainPrefix', (inv) => inv.request.domainPrefix],
  ['error.message', (inv) => inv.error?.message],
  ['error.messageString', (inv) => (inv.error ? JSON.stringify(inv.error.message) : undefined)],
  ['error.responseType', (inv) => inv.error?.responseType],
  ['extendedRequestId', (inv) => inv.requestId],
  ['httpMethod', (inv) => inv.request.method],
  ['identity.accountId', iam('accountId')],
  ['identity.caller', iam('callerId')],
  ['identity.clientCert.clientCertPem', (inv) => inv.clientCert?.clientCertPem],
  ['identity.clientCert.issuerDN', (inv) => inv.clientCert?.issuerDN],
  ['identity.clientCert.serialNumber', (inv) => inv.clientCert?.serialNumber],
  ['identity.clientCert.subjectDN', (inv) => inv.clientCert?.subjectDN],
  ['identity.clientCert.validity.notAfter', (inv) => inv.clientCert?.validity.notAfter],
  ['identity.clientCert.validity.notBefore', (inv) => inv.clientCert?.validity.notBefore],
  ['identity.cognitoAuthenticationProvider', cognito('authenticationProvider')],
  ['identity.cognitoAuthenticationType', cognito('authenticationType')],
  ['identity.cognitoIdentityId', cognito('identityId')],
  ['identity.cognitoIdentityPoolId', cognito('identityPoolId')],
  ['identity.principalOrgId', iam('principalOrgId')],
  ['identity.sourceIp', (inv) => inv.request.sourceIp],
  ['identity.user', iam('userId')],
  ['identity.userAgent', (inv) => stringify(inv.request.headers['user-agent'])],
  ['identity.userArn', iam('userArn')],
  ['integration.error', integrationError],
  ['integration.integrationStatus', integrationStatus],
  ['integration.latency', integrationLatency],
  ['integration.requestId', integrationRequestId],
  ['integration.status', integrationStatus],
  ['integrationErrorMessage', integrationError],
  ['integrationLatency', integrationLatency],
  ['integrationStatus', integrationStatus],
  ['path', (inv) => inv.request.path],
  ['protocol', (inv) => inv.request.protocol],
  ['requestId', (inv) => inv.requestId],
  ['requestTime', (inv) => formatRequestTime(inv.requestTimeEpoch)],
  ['requestTimeEpoch', (inv) => String(inv.requestTimeEpoch)],
  ['responseLatency', (inv) => (inv.responseEnd === undefined ? undefined : String(inv.responseEnd - inv.requestTimeEpoch))],
  ['responseLength', responseLength],
  ['routeKey', (inv) => inv.route?.routeKey],
  ['stage', (inv) => inv.stage?.stageName],
  ['status', (inv) => str(inv.response?.statusCode)],
]);

/** Whether `name` (without `$context.`) is a variable this gateway knows. */
export function isContextVariable(name: string): boolean {
  return FIXED.has(name) || /^authorizer\.claims\..+/.test(name) || /^authorizer\.[^.]+$/.test(name) || /^identity\.clientCert\./.test(name);
}

/** Resolves `name` (without `$context.`, e.g. `identity.sourceIp`) once into an accessor; unknown names read as undefined. */
export function compileContextVariable(name: string): ContextAccessor {
  const fixed = FIXED.get(name);
  if (fixed !== undefined) return fixed;
  if (name.startsWith('authorizer.claims.')) {
    const claim = name.slice('authorizer.claims.'.length);
    return (inv) => inv.authorizer?.jwt?.claims[claim];
  }
  if (name.startsWith('authorizer.')) {
    const key = name.slice('authorizer.'.length);
    return (inv) => stringify(inv.authorizer?.lambda?.[key]);
  }
  return NONE;
}

const compiled = new Map<string, ContextAccessor>();

/** The value of `$context.<name>` for a request (resolving the name through a cache; prefer `compileContextVariable`). */
export function contextVariable(inv: Invocation, name: string): string | undefined {
  let accessor = compiled.get(name);
  if (accessor === undefined) {
    accessor = compileContextVariable(name);
    if (compiled.size < 1024) compiled.set(name, accessor);
  }
  return accessor(inv);
}
