/**
 * Authorization of `$connect` (SPEC §F.5): CUSTOM (Lambda REQUEST authorizer answering with an IAM
 * policy) and AWS_IAM (SigV4 on the upgrade request). Identity sources are checked first (missing →
 * 401, function not called); deny → 403; function failure → 500. The outcome becomes
 * `requestContext.authorizer` (or `identity`) of every later event of the connection.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { IamDirectory } from '../auth/iam-callers.js';
import { authorizeCaller, executeApiDenial } from '../auth/iam-callers.js';
import { headersFromRaw, verifyRequest } from '../auth/sigv4.js';
import { accountOfAccessKey } from '../model/account-region.js';
import type { AuthorizerRecord, RouteRecord } from '../model/resources.js';
import { compileIdentitySource } from '../data-plane/authorizers/identity-source.js';
import { interpretAuthorizerResult, type LambdaAuthorizerOutcome } from '../data-plane/authorizers/lambda.js';
import { evaluatePolicy } from '../data-plane/authorizers/policy.js';
import type { FunctionInvoker, InvokeResult } from '../data-plane/functions/invoker.js';
import type { CompiledStage, Invocation } from '../data-plane/invocation.js';
import { parseLambdaUri, resolveStageVariables } from '../model/lambda-arn.js';
import { headersOf, queryOf } from './events.js';
import type { CachedAuthorization } from './routes.js';

/** Most cached authorizer results kept per compiled stage (oldest dropped first). */
const MAX_CACHED = 10_000;

/** An authorization refusal: the handshake is answered with this status. */
export class HandshakeRejection extends Error {
  override name = 'HandshakeRejection';
  constructor(
    readonly status: number,
    readonly body: string,
    detail: string,
  ) {
    super(detail);
  }
}

const reject = (status: 401 | 403 | 500, detail: string) =>
  new HandshakeRejection(status, JSON.stringify({ message: status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Internal Server Error' }), detail);

/** What an allowed `$connect` established. */
export interface ConnectAuthorization {
  readonly authorizer?: Record<string, unknown>;
  readonly iamIdentity?: Record<string, unknown>;
}

/** What `$connect` authorization needs. */
export interface ConnectAuthDeps {
  readonly invoker: FunctionInvoker;
  readonly iamCredentials?: (accessKeyId: string) => string | undefined;
  /** The configured keys with their callers' policies: `execute-api:Invoke` on the `$connect` route ARN. */
  readonly iamDirectory?: IamDirectory;
  readonly timeoutMs?: number;
  /** Authorizer result cache of the compiled stage (used when `authorizerResultTtlInSeconds` > 0 and there are identity sources). */
  readonly cache?: Map<string, CachedAuthorization>;
}

/** The upgrade request in the shape the identity-source accessors read. */
export function invocationOf(req: IncomingMessage, stage: CompiledStage, rawPath: string, rawQuery: string, requestId: string, now: number, sourceIp: string, domainName: string): Invocation {
  return {
    requestId,
    requestTimeEpoch: now,
    request: {
      method: 'GET',
      path: rawPath,
      rawQueryString: rawQuery,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      sourceIp,
      protocol: 'HTTP/1.1',
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
    },
    incoming: req,
    stage,
    routePath: '/',
  };
}

/** Runs the `$connect` route's authorizer; resolves to what it established or rejects with a HandshakeRejection. */
export async function authorizeConnect(
  route: RouteRecord,
  stage: CompiledStage,
  req: IncomingMessage,
  ctx: { rawPath: string; rawQuery: string; requestId: string; now: number; sourceIp: string; domainName: string; requestContext: Record<string, unknown> },
  deps: ConnectAuthDeps,
): Promise<ConnectAuthorization> {
  const type = route.authorizationType || 'NONE';
  if (type === 'NONE') return {};
  if (type === 'AWS_IAM') {
    const directory = deps.iamDirectory;
    const lookup = directory ? (id: string) => directory.secretOf(id) : deps.iamCredentials;
    if (!lookup) throw reject(500, 'AWS_IAM authorization needs configured credentials');
    const outcome = verifyRequest(
      { method: 'GET', rawPath: ctx.rawPath, rawQuery: ctx.rawQuery, headers: headersFromRaw(req.rawHeaders), body: '' },
      { service: 'execute-api', region: stage.region, lookup, now: new Date(ctx.now) },
    );
    if (!outcome.ok) throw reject(403, `${outcome.code}: ${outcome.message}`);
    const key = outcome.accessKeyId;
    const caller = directory?.callerOf(key);
    if (caller) {
      const routeArn = `arn:aws:execute-api:${stage.region}:${stage.accountId}:${stage.apiId}/${stage.stageName}/$connect`;
      const facts = { sourceIp: ctx.sourceIp, secure: (req.socket as Partial<TLSSocket> | null)?.encrypted === true, now: ctx.now, region: stage.region };
      const decision = authorizeCaller(caller, 'execute-api:Invoke', routeArn, facts);
      if (decision !== 'allow') throw reject(403, executeApiDenial(caller, 'execute-api:Invoke', routeArn, decision));
    }
    const accountId = caller?.accountId ?? accountOfAccessKey(key);
    const userArn = caller?.userArn ?? `arn:aws:iam::${accountId}:user/${key}`;
    return {
      iamIdentity: { accessKey: key, accountId, caller: key, user: key, userArn, cognitoIdentityId: null, cognitoIdentityPoolId: null },
    };
  }
  if (type !== 'CUSTOM') throw reject(500, `unsupported authorizationType ${type} on $connect`);
  const record: AuthorizerRecord | undefined = stage.snapshot.authorizers.find((a) => a.authorizerId === route.authorizerId);
  if (!record || record.authorizerType !== 'REQUEST') throw reject(500, `authorizer ${route.authorizerId ?? '(none)'} is missing or not a REQUEST authorizer`);
  const ref = record.authorizerUri ? parseLambdaUri(record.authorizerUri) : undefined;
  if (!ref) throw reject(500, `authorizer ${record.authorizerId}: not a Lambda function URI`);
  const resolved = resolveStageVariables(ref, stage.stageVariables);
  if (resolved.missing.length > 0) throw reject(500, `authorizer URI: stage variable ${resolved.missing.join(', ')} not set`);
  const inv = invocationOf(req, stage, ctx.rawPath, ctx.rawQuery, ctx.requestId, ctx.now, ctx.sourceIp, ctx.domainName);
  const identity: string[] = [];
  for (const expression of record.identitySource) {
    const accessor = compileIdentitySource(expression);
    if (!accessor) throw reject(500, `unsupported identity source ${expression}`);
    const value = accessor(inv);
    if (value === undefined) throw reject(401, `identity source ${expression} is missing or empty`);
    identity.push(value);
  }
  const ttl = record.authorizerResultTtlInSeconds ?? 0;
  const cacheKey = deps.cache && ttl > 0 && identity.length > 0 ? JSON.stringify([record.authorizerId, ...identity]) : undefined;
  const methodArn = `arn:aws:execute-api:${stage.region}:${stage.accountId}:${stage.apiId}/${stage.stageName}/$connect`;
  const { headers, multiValueHeaders } = headersOf(req.rawHeaders);
  const query = queryOf(ctx.rawQuery);
  const event = {
    type: 'REQUEST',
    methodArn,
    headers,
    multiValueHeaders,
    queryStringParameters: query?.single ?? {},
    multiValueQueryStringParameters: query?.multi ?? {},
    stageVariables: { ...stage.stageVariables },
    requestContext: ctx.requestContext,
  };
  let outcome = cacheKey === undefined ? undefined : (deps.cache?.get(cacheKey) as { expiresAt: number; value: PolicyOutcome } | undefined);
  if (outcome && outcome.expiresAt <= ctx.now) {
    deps.cache?.delete(cacheKey as string);
    outcome = undefined;
  }
  const policy = outcome?.value ?? (await invokeAuthorizer(resolved.ref, event, ctx.requestId, deps));
  if (!outcome && cacheKey !== undefined && deps.cache) {
    if (deps.cache.size >= MAX_CACHED) deps.cache.delete(deps.cache.keys().next().value as string);
    deps.cache.set(cacheKey, { expiresAt: ctx.now + ttl * 1000, value: policy });
  }
  // A cached policy is re-evaluated (SPEC §E.7), as a fresh one is.
  const decision = evaluatePolicy(policy.statements, methodArn);
  if (decision !== 'allow') throw reject(403, `the authorizer policy does not allow ${methodArn}`);
  return { authorizer: { ...policy.context, ...(policy.principalId !== undefined ? { principalId: policy.principalId } : {}) } };
}

type PolicyOutcome = Extract<LambdaAuthorizerOutcome, { kind: 'policy' }>;

/** Calls the authorizer function; resolves to its policy or rejects with a 500 HandshakeRejection. */
async function invokeAuthorizer(ref: Parameters<FunctionInvoker['invoke']>[0], event: Record<string, unknown>, requestId: string, deps: ConnectAuthDeps): Promise<PolicyOutcome> {
  let result: InvokeResult;
  try {
    result = await deps.invoker.invoke(ref, event, { timeoutMs: deps.timeoutMs ?? 10_000, requestId });
  } catch (error) {
    throw reject(500, `cannot invoke the authorizer: ${String(error)}`);
  }
  const outcome = interpretAuthorizerResult(result, '1.0', false);
  if (typeof outcome === 'string') throw reject(500, `the authorizer ${outcome}`);
  if (outcome.kind !== 'policy') throw reject(500, 'the authorizer did not return a policy');
  return outcome;
}

/**
 * `@connections` calls by a configured key with policies: `execute-api:ManageConnections` on
 * `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/@connections/{connectionId}`
 * (apigateway-websocket-control-access-iam; AWS's denial quoted in aws/aws-cdk#18410).
 * Returns AWS's denial sentence, or undefined when the caller may.
 */
export function manageConnectionsDenial(
  directory: IamDirectory | undefined,
  accessKeyId: string,
  stage: CompiledStage,
  req: IncomingMessage,
  connectionId: string,
  now: number,
): string | undefined {
  const caller = directory?.callerOf(accessKeyId);
  if (!caller) return undefined;
  const action = 'execute-api:ManageConnections';
  // TODO(parity): aws/aws-cdk#18410 shows `@connections/{connectionId}` literally in the denied resource; the id is used here.
  const resource = `arn:aws:execute-api:${stage.region}:${stage.accountId}:${stage.apiId}/${stage.stageName}/${(req.method ?? 'GET').toUpperCase()}/@connections/${connectionId}`;
  const remote = req.socket.remoteAddress ?? '';
  const facts = { sourceIp: remote.startsWith('::ffff:') ? remote.slice(7) : remote, secure: (req.socket as Partial<TLSSocket> | null)?.encrypted === true, now, region: stage.region };
  const decision = authorizeCaller(caller, action, resource, facts);
  return decision === 'allow' ? undefined : executeApiDenial(caller, action, resource, decision);
}
