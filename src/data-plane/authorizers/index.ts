/**
 * Compiles a route's authorization into a CompiledAuthorizer: JWT, CUSTOM (Lambda REQUEST) or
 * AWS_IAM. Nothing is ever skipped: a route whose authorizer is missing, of the wrong type or of
 * an unknown authorization type gets an authorizer that answers 500 to every request.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control.html
 */
import type { IamDirectory } from '../../auth/iam-callers.js';
import type { AuthorizerRecord, RouteRecord, StageRecord } from '../../model/resources.js';
import type { Logger } from '../../logger.js';
import { internalServerError } from '../errors.js';
import type { FunctionInvoker } from '../functions/invoker.js';
import type { AuthorizerResult, CompiledAuthorizer, Invocation } from '../invocation.js';
import { compileIamAuthorizer } from './iam.js';
import type { JwksProvider } from './jwks.js';
import { compileJwtAuthorizer } from './jwt.js';
import { compileLambdaAuthorizer, type LambdaAuthorizerOutcome } from './lambda.js';
import { AuthorizerResultCache } from './result-cache.js';

export { createJwksProvider, type JwksProvider, type JwksProviderOptions } from './jwks.js';

/** What compiling authorizers needs; one object per server. */
export interface AuthorizerDeps {
  /** Calls Lambda authorizer functions (the same invokers as Lambda integrations). */
  readonly invoker: FunctionInvoker;
  /** The server's JWKS cache (`createJwksProvider()`, created once per server). */
  readonly jwks: JwksProvider;
  /** AWS_IAM: the secret of an access key id (undefined = unknown key). */
  readonly iamCredentials?: (accessKeyId: string) => string | undefined;
  /** AWS_IAM: the configured keys with their callers' policies (evaluated for `execute-api:Invoke`). */
  readonly iamDirectory?: IamDirectory;
  /** AWS_IAM: replaces the built-in SigV4 check entirely. */
  readonly iam?: { verify(inv: Invocation): Promise<AuthorizerResult> };
  /** The custom-domain API mapping key of a request (Lambda authorizer 2.0 `rawPath` leaves it out). */
  readonly mappingKey?: (inv: Invocation) => string | undefined;
  /** Epoch ms; tests move time (JWT validity, cached Lambda results, signatures). */
  readonly clock?: () => number;
  /** Lambda authorizer timeout; defaults to AWS's 10 s quota. */
  readonly lambdaTimeoutMs?: number;
  readonly logger?: Logger;
}

/**
 * Result caches of one compiled stage, by authorizer: routes sharing an authorizer share its
 * cache (a cached simple "allow" covers them all, as on AWS). Keyed by the StageRecord object the
 * stage compiler passes for every route of one compile; a recompile reads a new record, so it
 * starts with empty caches (new deployment, ResetAuthorizersCache).
 */
const stageCaches = new WeakMap<StageRecord, Map<string, AuthorizerResultCache<LambdaAuthorizerOutcome>>>();

function cacheFor(stage: StageRecord, record: AuthorizerRecord): AuthorizerResultCache<LambdaAuthorizerOutcome> {
  let caches = stageCaches.get(stage);
  if (!caches) stageCaches.set(stage, (caches = new Map()));
  // The generation ResetAuthorizersCache bumps is part of the key too, should a record object ever be reused.
  const key = `${record.authorizerId}\u0000${stage.deploymentId ?? ''}\u0000${String((stage as { authorizerCacheGeneration?: unknown }).authorizerCacheGeneration ?? 0)}`;
  let cache = caches.get(key);
  if (!cache) caches.set(key, (cache = new AuthorizerResultCache<LambdaAuthorizerOutcome>()));
  return cache;
}

/** A route that cannot be authorized as configured: every request fails (500), and the operator is told once. */
function refusing(detail: string, logger: Logger | undefined): CompiledAuthorizer {
  logger?.warn('data plane: a route cannot be authorized; it answers 500', { detail });
  return { authorize: () => Promise.reject(internalServerError(detail, 'AUTHORIZER_FAILURE')) };
}

/** The authorizer of `route` in `stage`, or undefined for `authorizationType: NONE`. */
export function compileAuthorizer(route: RouteRecord, record: AuthorizerRecord | undefined, stage: StageRecord, deps: AuthorizerDeps): CompiledAuthorizer | undefined {
  const type = route.authorizationType || 'NONE';
  switch (type) {
    case 'NONE':
      return undefined;
    case 'AWS_IAM':
      return compileIamAuthorizer({
        ...(deps.iamCredentials ? { credentials: deps.iamCredentials } : {}),
        ...(deps.iamDirectory ? { directory: deps.iamDirectory } : {}),
        ...(deps.iam ? { verify: (inv: Invocation) => (deps.iam as NonNullable<AuthorizerDeps['iam']>).verify(inv) } : {}),
        ...(deps.clock ? { clock: deps.clock } : {}),
      });
    case 'JWT':
      if (!record) return refusing(`Route ${route.routeKey}: authorizer ${route.authorizerId ?? '(none)'} does not exist`, deps.logger);
      if (record.authorizerType !== 'JWT') return refusing(`Route ${route.routeKey}: authorizer ${record.authorizerId} is not a JWT authorizer`, deps.logger);
      return compileJwtAuthorizer(route, record, { jwks: deps.jwks, ...(deps.clock ? { clock: deps.clock } : {}) });
    case 'CUSTOM':
      if (!record) return refusing(`Route ${route.routeKey}: authorizer ${route.authorizerId ?? '(none)'} does not exist`, deps.logger);
      if (record.authorizerType !== 'REQUEST') return refusing(`Route ${route.routeKey}: authorizer ${record.authorizerId} is not a REQUEST authorizer`, deps.logger);
      return compileLambdaAuthorizer(
        record,
        {
          invoker: deps.invoker,
          ...(deps.clock ? { clock: deps.clock } : {}),
          ...(deps.lambdaTimeoutMs !== undefined ? { timeoutMs: deps.lambdaTimeoutMs } : {}),
          ...(deps.mappingKey ? { mappingKey: deps.mappingKey } : {}),
        },
        (record.authorizerResultTtlInSeconds ?? 0) > 0 && record.identitySource.length > 0 ? cacheFor(stage, record) : undefined,
      );
    default:
      return refusing(`Route ${route.routeKey}: unsupported authorizationType ${type}`, deps.logger);
  }
}
