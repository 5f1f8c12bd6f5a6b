import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiCommand,
  CreateAuthorizerCommand,
  CreateIntegrationCommand,
  CreateModelCommand,
  CreateRouteCommand,
  DeleteRouteCommand,
  DeleteRouteRequestParameterCommand,
  GetRouteCommand,
  GetRoutesCommand,
  UpdateRouteCommand,
} from '@aws-sdk/client-apigatewayv2';
import { rejectsAws } from '../../helpers/assert-aws.js';
import type { TestServer } from '../../helpers/server.js';
import { rawRequest, startServer } from '../../helpers/server.js';

const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:pets';
const AUTHORIZER_URI = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${LAMBDA}/invocations`;

describe('Routes', () => {
  let s: TestServer;
  let httpApi: string;
  let wsApi: string;
  let httpIntegration: string;
  let wsIntegration: string;
  let jwtAuthorizer: string;
  let requestAuthorizer: string;
  let wsAuthorizer: string;

  before(async () => {
    s = await startServer();
    httpApi = (await s.client.send(new CreateApiCommand({ Name: 'http', ProtocolType: 'HTTP' }))).ApiId as string;
    wsApi = (await s.client.send(new CreateApiCommand({ Name: 'ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId as string;
    httpIntegration = (await s.client.send(
      new CreateIntegrationCommand({ ApiId: httpApi, IntegrationType: 'AWS_PROXY', IntegrationUri: LAMBDA, PayloadFormatVersion: '2.0' }),
    )).IntegrationId as string;
    wsIntegration = (await s.client.send(new CreateIntegrationCommand({ ApiId: wsApi, IntegrationType: 'AWS_PROXY', IntegrationUri: LAMBDA }))).IntegrationId as string;
    jwtAuthorizer = (await s.client.send(
      new CreateAuthorizerCommand({
        ApiId: httpApi, Name: 'jwt', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: { Issuer: 'https://issuer.example.com', Audience: ['pets'] },
      }),
    )).AuthorizerId as string;
    requestAuthorizer = (await s.client.send(
      new CreateAuthorizerCommand({
        ApiId: httpApi, Name: 'lambda', AuthorizerType: 'REQUEST', IdentitySource: ['$request.header.x-token'],
        AuthorizerUri: AUTHORIZER_URI, AuthorizerPayloadFormatVersion: '2.0', EnableSimpleResponses: true,
      }),
    )).AuthorizerId as string;
    wsAuthorizer = (await s.client.send(
      new CreateAuthorizerCommand({ ApiId: wsApi, Name: 'ws', AuthorizerType: 'REQUEST', IdentitySource: ['route.request.header.Auth'], AuthorizerUri: AUTHORIZER_URI }),
    )).AuthorizerId as string;
    await s.client.send(new CreateModelCommand({ ApiId: wsApi, Name: 'Message', Schema: '{"type":"object"}', ContentType: 'application/json' }));
  });
  after(() => s.close());

  it('CreateRoute minimal echoes the AWS defaults', async () => {
    const route = await s.client.send(new CreateRouteCommand({ ApiId: httpApi, RouteKey: 'POST /signup' }));
    assert.match(route.RouteId ?? '', /^[a-z0-9]{7}$/);
    assert.deepEqual(
      { ...route, $metadata: undefined },
      { $metadata: undefined, ApiKeyRequired: false, AuthorizationType: 'NONE', RouteId: route.RouteId, RouteKey: 'POST /signup' },
    );
  });

  it('CreateRoute HTTP with every HTTP member', async () => {
    const route = await s.client.send(
      new CreateRouteCommand({
        ApiId: httpApi, RouteKey: 'GET /pets/{id}', Target: `integrations/${httpIntegration}`, AuthorizationType: 'JWT',
        AuthorizerId: jwtAuthorizer, AuthorizationScopes: ['pets:read'], OperationName: 'getPet', ApiKeyRequired: false,
      }),
    );
    const got = await s.client.send(new GetRouteCommand({ ApiId: httpApi, RouteId: route.RouteId }));
    for (const r of [route, got]) {
      assert.equal(r.RouteKey, 'GET /pets/{id}');
      assert.equal(r.Target, `integrations/${httpIntegration}`);
      assert.equal(r.AuthorizationType, 'JWT');
      assert.equal(r.AuthorizerId, jwtAuthorizer);
      assert.deepEqual(r.AuthorizationScopes, ['pets:read']);
      assert.equal(r.OperationName, 'getPet');
    }
  });

  it('CreateRoute WebSocket with every member (the seed example)', async () => {
    const input = {
      ApiId: wsApi, RouteKey: '$connect', Target: `integrations/${wsIntegration}`, AuthorizationType: 'CUSTOM' as const,
      AuthorizerId: wsAuthorizer, ApiKeyRequired: true, OperationName: 'connect',
      RequestParameters: { 'route.request.header.Auth': { Required: true }, 'route.request.querystring.room': { Required: false } },
      RequestModels: { $default: 'Message' }, ModelSelectionExpression: '$request.body.type', RouteResponseSelectionExpression: '$default',
    };
    const route = await s.client.send(new CreateRouteCommand(input));
    const got = await s.client.send(new GetRouteCommand({ ApiId: wsApi, RouteId: route.RouteId }));
    for (const r of [route, got]) {
      const { $metadata: _m, RouteId: _id, ...rest } = r;
      const { ApiId: _a, ...expected } = input;
      assert.deepEqual(rest, expected);
    }
  });

  // The model says "Supported only for WebSocket APIs"; no AWS refusal is known, so HTTP APIs accept,
  // store and echo them (README "Fidelity": AWS ignores them there, and so does Gatehouse).
  it('CreateRoute accepts, stores and echoes the members the model documents for WebSocket APIs on HTTP APIs', async () => {
    const members = {
      RouteResponseSelectionExpression: '$default',
      ModelSelectionExpression: '$request.body.type',
      RequestParameters: { 'route.request.header.a': { Required: true } },
      ApiKeyRequired: true,
    };
    const route = await s.client.send(new CreateRouteCommand({ ApiId: httpApi, RouteKey: 'GET /ws-only', ...members }));
    const got = await s.client.send(new GetRouteCommand({ ApiId: httpApi, RouteId: route.RouteId }));
    for (const r of [route, got]) {
      assert.deepEqual(
        { RouteResponseSelectionExpression: r.RouteResponseSelectionExpression, ModelSelectionExpression: r.ModelSelectionExpression, RequestParameters: r.RequestParameters, ApiKeyRequired: r.ApiKeyRequired },
        members,
      );
    }
  });

  it('CreateRoute checks route key syntax per protocol', async () => {
    const http: [string, string][] = [
      ['GET', "Invalid route key GET: a route key is '$default' or '<METHOD> <path>', such as 'GET /pets/{id}'"],
      ['FETCH /a', 'Invalid route key FETCH /a: the method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY'],
      ['GET a', "Invalid route key GET a: the path must start with '/'"],
      ['GET /a/', "Invalid route key GET /a/: the path must not end with '/'"],
      ['GET /{proxy+}/a', "Invalid route key GET /{proxy+}/a: the greedy path parameter '{proxy+}' must be the last segment"],
      ['$connect', "Invalid route key $connect: a route key is '$default' or '<METHOD> <path>', such as 'GET /pets/{id}'"],
    ];
    for (const [key, message] of http) {
      await rejectsAws(s.client.send(new CreateRouteCommand({ ApiId: httpApi, RouteKey: key })), 'BadRequestException', message);
    }
    await rejectsAws(
      s.client.send(new CreateRouteCommand({ ApiId: wsApi, RouteKey: '$other' })),
      'BadRequestException',
      "Invalid route key $other: route keys starting with '$' are reserved: $connect, $disconnect, $default",
    );
    const custom = await s.client.send(new CreateRouteCommand({ ApiId: wsApi, RouteKey: 'sendmessage' }));
    assert.equal(custom.RouteKey, 'sendmessage');
    for (const key of ['$default', 'ANY /any/{proxy+}', 'HEAD /', 'OPTIONS /a/{b}/c']) {
      assert.equal((await s.client.send(new CreateRouteCommand({ ApiId: httpApi, RouteKey: key }))).RouteKey, key);
    }
  });

  it('CreateRoute checks authorization per protocol and authorizer kind', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      // AWS's texts: terraform-provider-aws internal/service/apigatewayv2/route_test.go (ExpectError on a JWT route
      // without a JWT authorizer) and the issue tracker's quotes of the CUSTOM variant.
      [{ AuthorizationType: 'JWT' }, 'BadRequestException', 'Invalid authorizer ID specified. Setting the authorization type to JWT requires a valid JWT authorizer.'],
      [{ AuthorizationType: 'CUSTOM', AuthorizerId: jwtAuthorizer }, 'BadRequestException', 'Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.'],
      [{ AuthorizationType: 'JWT', AuthorizerId: requestAuthorizer }, 'BadRequestException', 'Invalid authorizer ID specified. Setting the authorization type to JWT requires a valid JWT authorizer.'],
      [{ AuthorizationType: 'JWT', AuthorizerId: 'zzzzzzz' }, 'BadRequestException', 'Invalid authorizer ID specified. Setting the authorization type to JWT requires a valid JWT authorizer.'],
      [{ AuthorizerId: jwtAuthorizer }, 'BadRequestException', 'authorizerId can be set only for authorization types JWT and CUSTOM, not NONE'],
      [{ AuthorizationType: 'AWS_IAM', AuthorizationScopes: ['a'] }, 'BadRequestException', 'authorizationScopes are supported only for routes with authorization type JWT'],
      [{ AuthorizationType: 'JWT', AuthorizerId: jwtAuthorizer, AuthorizationScopes: Array.from({ length: 11 }, (_, i) => `s${i}`) }, 'BadRequestException', 'A route can have at most 10 authorization scopes'],
      [{ AuthorizationType: 'OAUTH' }, 'BadRequestException', "1 validation error detected: Value 'OAUTH' at 'authorizationType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM, CUSTOM, JWT]"],
    ];
    for (const [extra, name, message] of cases) {
      await rejectsAws(s.client.send(new CreateRouteCommand({ ApiId: httpApi, RouteKey: 'GET /auth', ...extra })), name, message);
    }
    await rejectsAws(
      s.client.send(new CreateRouteCommand({ ApiId: wsApi, RouteKey: 'sendmessage2', AuthorizationType: 'CUSTOM', AuthorizerId: wsAuthorizer })),
      'BadRequestException',
      'Currently, authorization is restricted to the $connect route only',
    );
    await rejectsAws(
      s.client.send(new CreateRouteCommand({ ApiId: wsApi, RouteKey: '$connect', AuthorizationType: 'JWT', AuthorizerId: wsAuthorizer })),
      'BadRequestException',
      'Authorization type JWT is supported only for HTTP APIs',
    );
    const iam = await s.client.send(new CreateRouteCommand({ ApiId: httpApi, RouteKey: 'GET /iam', AuthorizationType: 'AWS_IAM' }));
    assert.equal(iam.AuthorizationType, 'AWS_IAM');
  });

  it('CreateRoute checks target, request parameters and models', async () => {
    await rejectsAws(
      s.client.send(new CreateRouteCommand({ ApiId: httpApi, RouteKey: 'GET /t', Target: 'lambda' })),
      'BadRequestException',
      'Invalid target lambda: must be integrations/{integrationId}',
    );
    await rejectsAws(
      s.client.send(new CreateRouteCommand({ ApiId: httpApi, RouteKey: 'GET /t', Target: 'integrations/abcdefg' })),
      'NotFoundException',
      'Invalid Integration identifier specified abcdefg',
      404,
    );
    await rejectsAws(
      s.client.send(new CreateRouteCommand({ ApiId: wsApi, RouteKey: 'p', RequestParameters: { 'header.x': { Required: true } } })),
      'BadRequestException',
      'Invalid request parameter key header.x: must be route.request.header|querystring|path.{name}',
    );
    await rejectsAws(
      s.client.send(new CreateRouteCommand({ ApiId: wsApi, RouteKey: 'm', RequestModels: { $default: 'Nope' } })),
      'BadRequestException',
      `Invalid model Nope in requestModels: no model of that name exists in API ${wsApi}`,
    );
    await rejectsAws(
      s.client.send(new CreateRouteCommand({ ApiId: httpApi, RouteKey: 'GET /t', OperationName: 'o'.repeat(65) })),
      'BadRequestException',
      /at 'operationName' failed to satisfy constraint: Member must have length less than or equal to 64$/,
    );
    const { Items } = await s.client.send(new GetRoutesCommand({ ApiId: httpApi }));
    assert.ok(!Items?.some((r) => r.RouteKey === 'GET /t'), 'nothing written by a rejected CreateRoute');
  });

  it('CreateRoute duplicate key is 409 ConflictException with AWS wording; unknown API is 404', async () => {
    await s.client.send(new CreateRouteCommand({ ApiId: httpApi, RouteKey: 'ANY /{proxy+}' }));
    await rejectsAws(
      s.client.send(new CreateRouteCommand({ ApiId: httpApi, RouteKey: 'ANY /{proxy+}' })),
      'ConflictException',
      'Route with key ANY /{proxy+} already exists for this API',
      409,
    );
    await rejectsAws(
      s.client.send(new CreateRouteCommand({ ApiId: 'abcdefghij', RouteKey: 'GET /' })),
      'NotFoundException',
      'Invalid API identifier specified 000000000000:abcdefghij',
    );
  });

  it('CreateRoute twice at once gives one 201 and one 409', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 2 }, () => s.client.send(new CreateRouteCommand({ ApiId: httpApi, RouteKey: 'PUT /race' }))),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.equal((failure.reason as Error).name, 'ConflictException');
    const { Items } = await s.client.send(new GetRoutesCommand({ ApiId: httpApi }));
    assert.equal(Items?.filter((r) => r.RouteKey === 'PUT /race').length, 1);
  });

  it('UpdateRoute changes members, re-keys with conflict checks and detaches authorizers', async () => {
    const route = await s.client.send(
      new CreateRouteCommand({ ApiId: httpApi, RouteKey: 'GET /u', AuthorizationType: 'JWT', AuthorizerId: jwtAuthorizer, AuthorizationScopes: ['a'] }),
    );
    await s.client.send(new CreateRouteCommand({ ApiId: httpApi, RouteKey: 'GET /taken' }));
    await rejectsAws(
      s.client.send(new UpdateRouteCommand({ ApiId: httpApi, RouteId: route.RouteId, RouteKey: 'GET /taken' })),
      'ConflictException',
      'Route with key GET /taken already exists for this API',
    );
    const renamed = await s.client.send(new UpdateRouteCommand({ ApiId: httpApi, RouteId: route.RouteId, RouteKey: 'GET /u2', Target: `integrations/${httpIntegration}` }));
    assert.equal(renamed.RouteKey, 'GET /u2');
    assert.equal(renamed.AuthorizerId, jwtAuthorizer, 'members not in the update are kept');
    const open = await s.client.send(new UpdateRouteCommand({ ApiId: httpApi, RouteId: route.RouteId, AuthorizationType: 'NONE' }));
    assert.equal(open.AuthorizationType, 'NONE');
    assert.equal(open.AuthorizerId, undefined, 'authorization type NONE detaches the authorizer, as on AWS');
    assert.equal(open.AuthorizationScopes, undefined);
    const custom = await s.client.send(new UpdateRouteCommand({ ApiId: httpApi, RouteId: route.RouteId, AuthorizationType: 'CUSTOM', AuthorizerId: requestAuthorizer }));
    assert.equal(custom.AuthorizerId, requestAuthorizer);
    await rejectsAws(
      s.client.send(new UpdateRouteCommand({ ApiId: httpApi, RouteId: route.RouteId, RouteKey: 'GET /bad/' })),
      'BadRequestException',
      "Invalid route key GET /bad/: the path must not end with '/'",
    );
    await rejectsAws(
      s.client.send(new UpdateRouteCommand({ ApiId: httpApi, RouteId: 'nope000', RouteKey: 'GET /x' })),
      'NotFoundException',
      'Invalid Route identifier specified nope000',
    );
  });

  it('DeleteRouteRequestParameter and DeleteRoute', async () => {
    const route = await s.client.send(
      new CreateRouteCommand({ ApiId: wsApi, RouteKey: 'params', RequestParameters: { 'route.request.header.a': { Required: true }, 'route.request.header.b': { Required: false } } }),
    );
    await s.client.send(new DeleteRouteRequestParameterCommand({ ApiId: wsApi, RouteId: route.RouteId, RequestParameterKey: 'route.request.header.a' }));
    const got = await s.client.send(new GetRouteCommand({ ApiId: wsApi, RouteId: route.RouteId }));
    assert.deepEqual(got.RequestParameters, { 'route.request.header.b': { Required: false } });
    await rejectsAws(
      s.client.send(new DeleteRouteRequestParameterCommand({ ApiId: wsApi, RouteId: route.RouteId, RequestParameterKey: 'route.request.header.a' })),
      'NotFoundException',
      'Invalid RequestParameter identifier specified route.request.header.a',
    );
    await s.client.send(new DeleteRouteCommand({ ApiId: wsApi, RouteId: route.RouteId }));
    await rejectsAws(s.client.send(new GetRouteCommand({ ApiId: wsApi, RouteId: route.RouteId })), 'NotFoundException', `Invalid Route identifier specified ${route.RouteId}`);
    await rejectsAws(s.client.send(new DeleteRouteCommand({ ApiId: wsApi, RouteId: route.RouteId })), 'NotFoundException', `Invalid Route identifier specified ${route.RouteId}`);
  });

  it('the product page example: POST without a body answers 400 VALIDATION_ERROR in the envelope format', async () => {
    const res = await rawRequest(s.url, 'POST', `/v2/apis/${httpApi}/routes`, {
      headers: { accept: 'application/json', 'content-type': 'application/json', 'x-gatehouse-response-format': 'envelope' },
    });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json, { success: false, error: { code: 'VALIDATION_ERROR', type: 'BadRequestException', message: 'Route key is required' } });
    const literal = await rawRequest(s.url, 'POST', '/v2/apis/{apiId}/routes', {
      headers: { accept: 'application/json', 'content-type': 'application/json', 'x-gatehouse-response-format': 'envelope' },
    });
    assert.equal(literal.status, 400, 'validation comes before the API lookup, as on the product page');
    assert.equal((literal.json as { error: { code: string } }).error.code, 'VALIDATION_ERROR');
  });

  it('envelope success carries the resource with id and created_at', async () => {
    const res = await rawRequest(s.url, 'POST', `/v2/apis/${httpApi}/routes`, {
      headers: { 'content-type': 'application/json', 'x-gatehouse-response-format': 'envelope' },
      body: JSON.stringify({ routeKey: 'GET /envelope' }),
    });
    assert.equal(res.status, 201);
    const body = res.json as { success: boolean; data: Record<string, unknown> };
    assert.equal(body.success, true);
    assert.equal(body.data.routeKey, 'GET /envelope');
    assert.equal(body.data.id, body.data.routeId);
    assert.match(String(body.data.created_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const list = await rawRequest(s.url, 'GET', `/v2/apis/${httpApi}/routes?maxResults=1`, { headers: { 'x-gatehouse-response-format': 'envelope' } });
    const page = (list.json as { data: { items: Record<string, unknown>[]; nextToken?: string } }).data;
    assert.equal(page.items.length, 1);
    assert.equal(page.items[0]?.id, page.items[0]?.routeId);
    assert.ok(page.items[0]?.created_at);
    assert.ok(page.nextToken);
    const missing = await rawRequest(s.url, 'GET', `/v2/apis/${httpApi}/routes/nope000`, { headers: { 'x-gatehouse-response-format': 'envelope' } });
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, {
      success: false,
      error: { code: 'NOT_FOUND', type: 'NotFoundException', message: 'Invalid Route identifier specified nope000', resourceType: 'Route' },
    });
  });
});
