/**
 * Lambda (REQUEST) authorizers of HTTP APIs (SPEC §E.7): identity sources checked first (missing →
 * 401, function not called), the payload 1.0 / 2.0 event, the function's answer — a simple
 * response `{isAuthorized, context}` or an IAM policy evaluated against the route ARN — and the
 * result cache keyed by the authorizer and every identity-source value.
 * Deny → 403; function error, timeout (10 s quota) or malformed answer → 500. The same compiler
 * authorizes WebSocket `$connect` (the REST-style REQUEST event, `methodArn` ending in `$connect`,
 * IAM-policy answers), sharing the result cache.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html
 */
import type { AuthorizerRecord } from '../../model/resources.js';
import { parseLambdaUri } from '../../model/lambda-arn.js';
import { forbidden, internalServerError, payloadTrace, traceOf, unauthorized, withTrace } from '../errors.js';
import { FunctionTimeoutError, payloadValue, type FunctionInvoker, type InvokeResult } from '../functions/invoker.js';
import { buildEventV1, buildEventV2 } from '../integrations/lambda-events.js';
import { functionOfRequest } from '../integrations/lambda.js';
import { headersOf, queryOf, requestContextOf } from '../integrations/websocket-events.js';
import type { AuthorizerResult, CompiledAuthorizer, Invocation } from '../invocation.js';
import { compileIdentitySource, type IdentitySourceAccessor } from './identity-source.js';
import { evaluatePolicy, parsePolicyDocument, type PolicyStatement } from './policy.js';
import type { AuthorizerResultCache } from './result-cache.js';

/** The Lambda authorizer response time quota: 10000 ms. */
export const LAMBDA_AUTHORIZER_TIMEOUT_MS = 10_000;

/** What a Lambda authorizer needs. */
export interface LambdaAuthorizerDeps {
  readonly invoker: FunctionInvoker;
  /** Epoch ms; tests move time to expire cached results. */
  readonly clock?: () => number;
  /** Defaults to the 10 s quota. */
  readonly timeoutMs?: number;
  /** The custom-domain API mapping key of the request, if any (2.0 `rawPath` leaves it out). */
  readonly mappingKey?: (inv: Invocation) => string | undefined;
}

/** What the function decided, as cached: a policy is re-evaluated for each route ARN. */
export type LambdaAuthorizerOutcome =
  | { readonly kind: 'simple'; readonly authorized: boolean; readonly context: Readonly<Record<string, unknown>> }
  | {
      readonly kind: 'policy';
      readonly principalId: string | undefined;
      readonly statements: readonly PolicyStatement[];
      readonly context: Readonly<Record<string, unknown>>;
    };


const failure = (detail: string) => internalServerError(detail, 'AUTHORIZER_FAILURE');
const refusing = (detail: string): CompiledAuthorizer => ({ authorize: () => Promise.reject(failure(detail)) });

/** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}` (the API's region and account): the `routeArn` / `methodArn` of a request. */
export function routeArnOf(inv: Invocation): string {
  const stage = inv.stage;
  const base = `arn:aws:execute-api:${stage?.region ?? ''}:${stage?.accountId ?? ''}:${stage?.apiId ?? ''}/${stage?.stageName ?? ''}`;
  // WebSocket routes are named by route key: `.../{stage}/$connect`.
  if (inv.websocket) return `${base}/${inv.websocket.routeKey}`;
  const path = (inv.routePath ?? inv.request.path).replace(/^\//, '');
  return `${base}/${inv.request.method}/${path}`;
}

/**
 * Compiles a REQUEST authorizer. `cache` is given when results are cached (TTL > 0 and identity
 * sources set); it is shared by the routes of one compiled stage that use this authorizer.
 */
export function compileLambdaAuthorizer(
  record: AuthorizerRecord,
  deps: LambdaAuthorizerDeps,
  cache?: AuthorizerResultCache<LambdaAuthorizerOutcome>,
): CompiledAuthorizer {
  const ref = record.authorizerUri ? parseLambdaUri(record.authorizerUri) : undefined;
  if (!ref) return refusing(`Lambda authorizer ${record.authorizerId}: not a Lambda function URI: ${record.authorizerUri ?? '(none)'}`);
  const version = record.authorizerPayloadFormatVersion ?? '1.0';
  if (version !== '1.0' && version !== '2.0') return refusing(`Lambda authorizer ${record.authorizerId}: unsupported payload format ${version}`);
  const simple = version === '2.0' && record.enableSimpleResponses === true;
  const sources: [string, IdentitySourceAccessor][] = [];
  for (const expression of record.identitySource) {
    const accessor = compileIdentitySource(expression);
    if (!accessor) return refusing(`Lambda authorizer ${record.authorizerId}: unsupported identity source ${expression}`);
    sources.push([expression, accessor]);
  }
  const ttlMs = (record.authorizerResultTtlInSeconds ?? 0) * 1000;
  const cached = cache !== undefined && ttlMs > 0 && sources.length > 0 ? cache : undefined;
  const now = deps.clock ?? Date.now;
  const timeoutMs = deps.timeoutMs ?? LAMBDA_AUTHORIZER_TIMEOUT_MS;
  const functionOf = functionOfRequest(ref, (names) => failure(`Authorizer URI ${ref.functionArn}: stage variable ${names} not set`));

  const call = async (inv: Invocation, identity: readonly string[], routeArn: string): Promise<LambdaAuthorizerOutcome> => {
    const fn = functionOf(inv);
    const mappingKey = deps.mappingKey?.(inv);
    const options = mappingKey ? { mappingKey } : {};
    const event = inv.websocket ? eventWebSocket(inv, routeArn) : version === '2.0' ? eventV2(inv, identity, routeArn, options) : eventV1(inv, identity, routeArn, options);
    let result: InvokeResult;
    try {
      result = await deps.invoker.invoke(fn, event, { timeoutMs, requestId: inv.requestId });
    } catch (error) {
      if (error instanceof FunctionTimeoutError) throw failure(`The authorizer ${fn.functionArn} did not answer within ${timeoutMs} ms`);
      throw withTrace(
        failure(`Cannot invoke the authorizer ${fn.functionArn}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`),
        error instanceof Error && error.cause !== undefined ? traceOf(error) : undefined,
      );
    }
    const outcome = interpretAuthorizerResult(result, version, simple);
    if (typeof outcome === 'string') throw withTrace(failure(`The authorizer ${fn.functionArn} ${outcome}`), result.functionError ? payloadTrace(parsedPayload(result)) : undefined);
    return outcome;
  };

  return {
    async authorize(inv: Invocation): Promise<AuthorizerResult> {
      const identity: string[] = [];
      for (const [expression, accessor] of sources) {
        const value = accessor(inv);
        if (value === undefined) throw unauthorized({}, `The identity source ${expression} is missing or empty`);
        identity.push(value);
      }
      const routeArn = routeArnOf(inv);
      let called = false;
      const outcome = cached
        ? await cached.getOrLoad(JSON.stringify([record.authorizerId, ...identity]), now, ttlMs, () => {
            called = true;
            return call(inv, identity, routeArn);
          })
        : await call(inv, identity, routeArn);
      if (cached && !called) inv.authorizerCacheHit = true;
      return decide(outcome, routeArn);
    },
  };
}

/** Allows (the authorizer result) or throws 403. */
function decide(outcome: LambdaAuthorizerOutcome, routeArn: string): AuthorizerResult {
  if (outcome.kind === 'simple') {
    if (!outcome.authorized) throw forbidden({}, 'The authorizer returned isAuthorized: false');
    return { lambda: outcome.context };
  }
  const decision = evaluatePolicy(outcome.statements, routeArn);
  if (decision !== 'allow') {
    throw forbidden({}, decision === 'deny' ? `The authorizer policy denies execute-api:Invoke on ${routeArn}` : `The authorizer policy does not allow execute-api:Invoke on ${routeArn}`);
  }
  return { lambda: outcome.context, ...(outcome.principalId !== undefined ? { principalId: outcome.principalId } : {}) };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The function's payload as JSON, or undefined. */
function parsedPayload(result: InvokeResult): unknown {
  try {
    return payloadValue(result);
  } catch {
    return undefined;
  }
}

/** Reads the function's answer; a string says what is wrong with it (the request then fails with 500). */
export function interpretAuthorizerResult(result: InvokeResult, version: '1.0' | '2.0', simple: boolean): LambdaAuthorizerOutcome | string {
  let body: unknown;
  try {
    body = payloadValue(result);
  } catch {
    body = undefined;
    if (!result.functionError) return 'returned a response that is not JSON';
  }
  if (result.functionError) {
    const message = isObject(body) && typeof body.errorMessage === 'string' ? `: ${body.errorMessage}` : '';
    return `failed (${result.functionError})${message}`;
  }
  if (!isObject(body)) return 'returned a response that is not a JSON object';
  const context = body.context;
  if (context !== undefined && context !== null && !isObject(context)) return 'returned a context that is not an object';
  if (version === '1.0' && isObject(context)) {
    for (const [key, value] of Object.entries(context)) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) return `returned context.${key} that is not a string, number or boolean`;
    }
  }
  const ctx: Readonly<Record<string, unknown>> = isObject(context) ? context : {};
  if (simple) {
    if (typeof body.isAuthorized !== 'boolean') return 'returned a simple response without a boolean isAuthorized';
    return { kind: 'simple', authorized: body.isAuthorized, context: ctx };
  }
  const statements = parsePolicyDocument(body.policyDocument);
  if (typeof statements === 'string') return `returned an invalid policy: ${statements}`;
  const principal = body.principalId;
  if (principal !== undefined && principal !== null && typeof principal !== 'string' && typeof principal !== 'number') {
    return 'returned a principalId that is not a string';
  }
  return { kind: 'policy', principalId: principal === undefined || principal === null ? undefined : String(principal), statements, context: ctx };
}

/** Payload 2.0: the integration event's request parts, without the body, plus type, routeArn and identitySource. */
function eventV2(inv: Invocation, identity: readonly string[], routeArn: string, options: { mappingKey?: string }): Record<string, unknown> {
  const e = buildEventV2(inv, options);
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn,
    identitySource: [...identity],
    routeKey: e.routeKey,
    rawPath: e.rawPath,
    rawQueryString: e.rawQueryString,
    ...(e.cookies ? { cookies: e.cookies } : {}),
    headers: e.headers,
    ...(e.queryStringParameters ? { queryStringParameters: e.queryStringParameters } : {}),
    requestContext: e.requestContext,
    ...(e.pathParameters ? { pathParameters: e.pathParameters } : {}),
    ...(e.stageVariables ? { stageVariables: e.stageVariables } : {}),
  };
}

/** Payload 1.0: REST's REQUEST authorizer event (identity values comma-joined), without the body. */
function eventV1(inv: Invocation, identity: readonly string[], routeArn: string, options: { mappingKey?: string }): Record<string, unknown> {
  const e = buildEventV1(inv, options);
  const joined = identity.join(',');
  return {
    version: '1.0',
    type: 'REQUEST',
    methodArn: routeArn,
    identitySource: joined,
    authorizationToken: joined,
    resource: e.resource,
    path: e.path,
    httpMethod: e.httpMethod,
    headers: e.headers,
    multiValueHeaders: e.multiValueHeaders,
    queryStringParameters: e.queryStringParameters,
    multiValueQueryStringParameters: e.multiValueQueryStringParameters,
    pathParameters: e.pathParameters,
    stageVariables: e.stageVariables,
    requestContext: e.requestContext,
  };
}

/** WebSocket `$connect`: REST's REQUEST event with the connection's `requestContext`. */
function eventWebSocket(inv: Invocation, methodArn: string): Record<string, unknown> {
  const { headers, multiValueHeaders } = headersOf(inv.request.rawHeaders);
  const query = queryOf(inv.request.rawQueryString);
  return {
    type: 'REQUEST',
    methodArn,
    headers,
    multiValueHeaders,
    queryStringParameters: query?.single ?? {},
    multiValueQueryStringParameters: query?.multi ?? {},
    stageVariables: { ...(inv.stage?.stageVariables ?? {}) },
    requestContext: requestContextOf(inv),
  };
}

