/**
 * Authorizers: CreateAuthorizer, GetAuthorizer, GetAuthorizers, UpdateAuthorizer, DeleteAuthorizer.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-authorizers.html
 */
import { isoSeconds } from '../model/ids.js';
import { parseLambdaUri } from '../model/lambda-arn.js';
import { applyApiChange } from './deployments.js';
import { CLEARED_BY_EMPTY } from './input.js';
import { authorizerNotActedOn } from '../model/not-acted-on.js';
import { listPage, loadApi, loadChild, patch, refuseNotActedOn } from './common.js';
import type { OperationHandler } from './context.js';
import { BadRequestException, childNotFound, ConflictException } from './errors.js';
import type { ApiRecord, AuthorizerRecord, RouteRecord } from '../model/resources.js';

const bad = (message: string) => new BadRequestException(message);

const IDENTITY_SOURCES = {
  JWT: /^\$request\.(header|querystring)\.[^\s]+$/,
  HTTP_REQUEST: /^\$(request\.(header|querystring)|context|stageVariables)\.[^\s]+$/,
  WEBSOCKET_REQUEST: /^(route\.request\.(header|querystring)|context|stageVariables)\.[^\s]+$/,
} as const;
const MAX_AUDIENCES = 50;
const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/** JWT issuers: https, or http on a loopback host for local identity providers. */
function checkIssuer(issuer: string | undefined): void {
  if (issuer === undefined) throw bad('jwtConfiguration.issuer is required for JWT authorizers');
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw bad(`Invalid issuer ${issuer}: must be an https URL`);
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname))) return;
  throw bad(`Invalid issuer ${issuer}: must be an https URL (http is accepted only for loopback hosts)`);
}

function checkJwt(a: AuthorizerRecord): void {
  if (a.identitySource.length !== 1 || !IDENTITY_SOURCES.JWT.test(a.identitySource[0] as string)) {
    throw bad('JWT authorizers take exactly one identitySource, $request.header.{name} or $request.querystring.{name}');
  }
  if (!a.jwtConfiguration) throw bad('jwtConfiguration is required for JWT authorizers');
  checkIssuer(a.jwtConfiguration.issuer);
  const audience = a.jwtConfiguration.audience ?? [];
  if (audience.length === 0) throw bad('jwtConfiguration.audience must list at least one audience');
  if (audience.length > MAX_AUDIENCES) throw bad(`jwtConfiguration.audience can list at most ${MAX_AUDIENCES} audiences`);
  for (const member of ['authorizerUri', 'authorizerCredentialsArn', 'authorizerPayloadFormatVersion', 'authorizerResultTtlInSeconds', 'enableSimpleResponses'] as const) {
    if (a[member] !== undefined) throw bad(`${member} is supported only for REQUEST authorizers`);
  }
}

function checkRequest(api: ApiRecord, a: AuthorizerRecord): void {
  if (a.jwtConfiguration) throw bad('jwtConfiguration is supported only for JWT authorizers');
  if (a.authorizerUri === undefined) throw bad('authorizerUri is required for REQUEST authorizers');
  if (!parseLambdaUri(a.authorizerUri)) {
    throw bad(`Invalid authorizerUri ${a.authorizerUri}: must be arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations`);
  }
  const pattern = api.protocolType === 'HTTP' ? IDENTITY_SOURCES.HTTP_REQUEST : IDENTITY_SOURCES.WEBSOCKET_REQUEST;
  const form = api.protocolType === 'HTTP' ? '$request.header|querystring.{name}, $context.{name} or $stageVariables.{name}' : 'route.request.header|querystring.{name}, context.{name} or stageVariables.{name}';
  for (const source of a.identitySource) if (!pattern.test(source)) throw bad(`Invalid identitySource ${source}: must be ${form}`);
  if (api.protocolType === 'HTTP') {
    const version = a.authorizerPayloadFormatVersion;
    // AWS's text (hashicorp/terraform-provider-aws#15181).
    if (version === undefined) throw bad('AuthorizerPayloadFormatVersion is a required parameter for REQUEST authorizer');
    if (version !== '1.0' && version !== '2.0') throw bad(`Invalid authorizerPayloadFormatVersion ${version}: must be 1.0 or 2.0`);
    if (a.enableSimpleResponses && version !== '2.0') throw bad('enableSimpleResponses requires authorizerPayloadFormatVersion 2.0');
    if ((a.authorizerResultTtlInSeconds ?? 0) > 0 && a.identitySource.length === 0) {
      throw bad('authorizerResultTtlInSeconds greater than 0 requires an identitySource: results are cached by identity source values');
    }
  } else if (a.authorizerPayloadFormatVersion !== undefined && a.authorizerPayloadFormatVersion !== '1.0') {
    throw bad('WebSocket API Lambda authorizers support only authorizerPayloadFormatVersion 1.0');
  }
}

/** Validates a complete authorizer (after defaults or an update's merge). */
export function checkAuthorizer(api: ApiRecord, a: AuthorizerRecord): void {
  if (a.authorizerType === 'JWT') {
    if (api.protocolType !== 'HTTP') throw bad('JWT authorizers are supported only for HTTP APIs');
    checkJwt(a);
  } else checkRequest(api, a);
}

const MEMBERS = [
  'name', 'authorizerType', 'identitySource', 'authorizerUri', 'authorizerCredentialsArn', 'authorizerPayloadFormatVersion',
  'authorizerResultTtlInSeconds', 'enableSimpleResponses', 'identityValidationExpression', 'jwtConfiguration',
];

/** CreateAuthorizer: POST /v2/apis/{apiId}/authorizers */
export const createAuthorizer: OperationHandler = async (input, ctx) => {
  const api = await loadApi(ctx, input.apiId as string);
  const authorizer: AuthorizerRecord = patch(
    { authorizerId: ctx.ids('authorizer'), identitySource: [], createdDate: isoSeconds(ctx.clock()) } as unknown as AuthorizerRecord,
    input,
    MEMBERS,
  );
  checkAuthorizer(api.data, authorizer);
  refuseNotActedOn(ctx, authorizerNotActedOn(api.data.protocolType, authorizer));
  await applyApiChange(ctx, api.id, [
    { write: { op: 'insert', kind: 'authorizer', scope: api.id, id: authorizer.authorizerId, data: authorizer } },
  ]);
  return { body: authorizer as unknown as Record<string, unknown>, createdAt: authorizer.createdDate };
};


/** GetAuthorizer: GET /v2/apis/{apiId}/authorizers/{authorizerId} */
export const getAuthorizer: OperationHandler = async (input, ctx) => {
  const { item: authorizer } = await loadChild<AuthorizerRecord>(ctx, input, 'authorizer', 'authorizerId', 'Authorizer');
  return { body: authorizer.data as unknown as Record<string, unknown>, createdAt: authorizer.data.createdDate };
};

/** GetAuthorizers: GET /v2/apis/{apiId}/authorizers */
export const getAuthorizers: OperationHandler = async (input, ctx) => {
  const api = await loadApi(ctx, input.apiId as string);
  return listPage(ctx, 'authorizer', api.id, input);
};

/** UpdateAuthorizer: PATCH /v2/apis/{apiId}/authorizers/{authorizerId} */
export const updateAuthorizer: OperationHandler = async (input, ctx) => {
  const { api, item: current } = await loadChild<AuthorizerRecord>(ctx, input, 'authorizer', 'authorizerId', 'Authorizer');
  const authorizer: AuthorizerRecord = patch(current.data, input, MEMBERS, CLEARED_BY_EMPTY.UpdateAuthorizerRequest);
  checkAuthorizer(api, authorizer);
  refuseNotActedOn(ctx, authorizerNotActedOn(api.protocolType, authorizer));
  const steps = [];
  if (authorizer.authorizerType !== current.data.authorizerType) {
    // routes name the authorizer kind through their authorization type (JWT <-> JWT, CUSTOM <-> REQUEST)
    steps.push({
      write: { op: 'checkUnreferenced' as const, kind: 'route' as const, scope: api.apiId, field: 'authorizerId', value: current.id },
      onError: { IN_USE: () => new ConflictException(`Cannot change the type of authorizer '${current.data.name}' while routes use it`) },
    });
  }
  await applyApiChange(ctx, api.apiId, [
    ...steps,
    {
      write: { op: 'update', kind: 'authorizer', scope: api.apiId, id: current.id, data: authorizer, ifVersion: current.version },
      onError: { NOT_FOUND: () => childNotFound('Authorizer', current.id) },
    },
  ]);
  return { body: authorizer as unknown as Record<string, unknown>, createdAt: authorizer.createdDate };
};

/** DeleteAuthorizer: DELETE /v2/apis/{apiId}/authorizers/{authorizerId} — refused while a route uses it (AWS wording). */
export const deleteAuthorizer: OperationHandler = async (input, ctx) => {
  const { api, item: authorizer } = await loadChild<AuthorizerRecord>(ctx, input, 'authorizer', 'authorizerId', 'Authorizer');
  await applyApiChange(ctx, api.apiId, [
    {
      write: { op: 'checkUnreferenced', kind: 'route', scope: api.apiId, field: 'authorizerId', value: authorizer.id },
      onError: {
        IN_USE: (err) =>
          new ConflictException(`Cannot delete authorizer '${authorizer.data.name}', is referenced in route: ${(err.holder?.data as RouteRecord | undefined)?.routeKey}`),
      },
    },
    { write: { op: 'delete', kind: 'authorizer', scope: api.apiId, id: authorizer.id }, onError: { NOT_FOUND: () => childNotFound('Authorizer', authorizer.id) } },
  ]);
};
