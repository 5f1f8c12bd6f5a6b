import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiCommand,
  CreateAuthorizerCommand,
  CreateRouteCommand,
  DeleteAuthorizerCommand,
  GetAuthorizerCommand,
  GetAuthorizersCommand,
  UpdateAuthorizerCommand,
  UpdateRouteCommand,
} from '@aws-sdk/client-apigatewayv2';
import { rejectsAws } from '../../helpers/assert-aws.js';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';

const URI = 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations';
const JWT = { Name: 'jwt', AuthorizerType: 'JWT' as const, IdentitySource: ['$request.header.Authorization'], JwtConfiguration: { Issuer: 'https://cognito-idp.us-east-1.amazonaws.com/pool', Audience: ['client'] } };

describe('Authorizers', () => {
  let s: TestServer;
  let httpApi: string;
  let wsApi: string;
  before(async () => {
    s = await startServer();
    httpApi = (await s.client.send(new CreateApiCommand({ Name: 'http', ProtocolType: 'HTTP' }))).ApiId as string;
    wsApi = (await s.client.send(new CreateApiCommand({ Name: 'ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId as string;
  });
  after(() => s.close());

  it('CreateAuthorizer JWT returns exactly what AWS returns', async () => {
    const a = await s.client.send(new CreateAuthorizerCommand({ ApiId: httpApi, ...JWT }));
    const { $metadata: _m, AuthorizerId, ...rest } = a;
    assert.match(AuthorizerId ?? '', /^[a-z0-9]{7}$/);
    assert.deepEqual(rest, { AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: JWT.JwtConfiguration, Name: 'jwt' });
    const local = await s.client.send(new CreateAuthorizerCommand({ ApiId: httpApi, ...JWT, JwtConfiguration: { Issuer: 'http://127.0.0.1:4580/_gatehouse/oidc/dev', Audience: ['a'] } }));
    assert.equal(local.JwtConfiguration?.Issuer, 'http://127.0.0.1:4580/_gatehouse/oidc/dev', 'http issuers on loopback are accepted for local providers');
  });

  it('CreateAuthorizer REQUEST for HTTP and WebSocket APIs', async () => {
    const http = await s.client.send(
      new CreateAuthorizerCommand({
        ApiId: httpApi, Name: 'lambda', AuthorizerType: 'REQUEST', AuthorizerUri: URI, AuthorizerPayloadFormatVersion: '2.0',
        EnableSimpleResponses: true, AuthorizerResultTtlInSeconds: 300, IdentitySource: ['$request.header.x-token', '$context.routeKey'],
      }),
    );
    assert.equal(http.AuthorizerResultTtlInSeconds, 300);
    assert.equal(http.EnableSimpleResponses, true);
    const open = await s.client.send(new CreateAuthorizerCommand({ ApiId: httpApi, Name: 'open', AuthorizerType: 'REQUEST', AuthorizerUri: URI, AuthorizerPayloadFormatVersion: '1.0' } as never));
    assert.deepEqual(open.IdentitySource, [], 'HTTP Lambda authorizers may have no identity source');
    const ws = await s.client.send(new CreateAuthorizerCommand({ ApiId: wsApi, Name: 'ws', AuthorizerType: 'REQUEST', AuthorizerUri: URI, IdentitySource: ['route.request.header.Auth', 'route.request.querystring.token'] }));
    assert.deepEqual(ws.IdentitySource, ['route.request.header.Auth', 'route.request.querystring.token']);
  });

  it('CreateAuthorizer validation', async () => {
    const http: [Record<string, unknown>, string][] = [
      [{ ...JWT, IdentitySource: ['$request.header.a', '$request.header.b'] }, 'JWT authorizers take exactly one identitySource, $request.header.{name} or $request.querystring.{name}'],
      [{ ...JWT, IdentitySource: ['$context.x'] }, 'JWT authorizers take exactly one identitySource, $request.header.{name} or $request.querystring.{name}'],
      [{ ...JWT, JwtConfiguration: undefined }, 'jwtConfiguration is required for JWT authorizers'],
      [{ ...JWT, JwtConfiguration: { Issuer: 'http://issuer.example.com', Audience: ['a'] } }, 'Invalid issuer http://issuer.example.com: must be an https URL (http is accepted only for loopback hosts)'],
      [{ ...JWT, JwtConfiguration: { Issuer: 'https://i.example.com', Audience: [] } }, 'jwtConfiguration.audience must list at least one audience'],
      [{ ...JWT, JwtConfiguration: { Issuer: 'https://i.example.com', Audience: Array.from({ length: 51 }, (_, i) => `a${i}`) } }, 'jwtConfiguration.audience can list at most 50 audiences'],
      [{ ...JWT, AuthorizerUri: URI }, 'authorizerUri is supported only for REQUEST authorizers'],
      [{ Name: 'l', AuthorizerType: 'REQUEST', IdentitySource: ['$request.header.a'], AuthorizerPayloadFormatVersion: '2.0' }, 'authorizerUri is required for REQUEST authorizers'],
      [{ Name: 'l', AuthorizerType: 'REQUEST', IdentitySource: ['$request.header.a'], AuthorizerUri: URI }, 'AuthorizerPayloadFormatVersion is a required parameter for REQUEST authorizer'], // AWS's text (terraform-provider-aws#15181)
      [{ Name: 'l', AuthorizerType: 'REQUEST', IdentitySource: ['$request.header.a'], AuthorizerUri: URI, AuthorizerPayloadFormatVersion: '1.0', EnableSimpleResponses: true }, 'enableSimpleResponses requires authorizerPayloadFormatVersion 2.0'],
      [{ Name: 'l', AuthorizerType: 'REQUEST', IdentitySource: ['route.request.header.a'], AuthorizerUri: URI, AuthorizerPayloadFormatVersion: '2.0' }, 'Invalid identitySource route.request.header.a: must be $request.header|querystring.{name}, $context.{name} or $stageVariables.{name}'],
      [{ Name: 'l', AuthorizerType: 'REQUEST', AuthorizerUri: URI, AuthorizerPayloadFormatVersion: '2.0', AuthorizerResultTtlInSeconds: 60 }, 'authorizerResultTtlInSeconds greater than 0 requires an identitySource: results are cached by identity source values'],
      [{ Name: 'l', AuthorizerType: 'REQUEST', IdentitySource: ['$request.header.a'], AuthorizerUri: URI, AuthorizerPayloadFormatVersion: '2.0', AuthorizerResultTtlInSeconds: 3601 }, "1 validation error detected: Value '3601' at 'authorizerResultTtlInSeconds' failed to satisfy constraint: Member must have value less than or equal to 3600"],
    ];
    for (const [input, message] of http) {
      await rejectsAws(s.client.send(new CreateAuthorizerCommand({ ApiId: httpApi, ...input } as never)), 'BadRequestException', message, 400);
    }
    await rejectsAws(s.client.send(new CreateAuthorizerCommand({ ApiId: wsApi, ...JWT })), 'BadRequestException', 'JWT authorizers are supported only for HTTP APIs');
    await rejectsAws(
      s.client.send(new CreateAuthorizerCommand({ ApiId: wsApi, Name: 'w', AuthorizerType: 'REQUEST', AuthorizerUri: URI, IdentitySource: ['$request.header.a'] })),
      'BadRequestException',
      'Invalid identitySource $request.header.a: must be route.request.header|querystring.{name}, context.{name} or stageVariables.{name}',
    );
    await rejectsAws(s.client.send(new CreateAuthorizerCommand({ ApiId: 'zzzzzzzzzz', ...JWT })), 'NotFoundException', 'Invalid API identifier specified 000000000000:zzzzzzzzzz');
  });

  it('UpdateAuthorizer revalidates the merged authorizer', async () => {
    const a = await s.client.send(new CreateAuthorizerCommand({ ApiId: httpApi, ...JWT, Name: 'upd' }));
    const updated = await s.client.send(new UpdateAuthorizerCommand({ ApiId: httpApi, AuthorizerId: a.AuthorizerId, JwtConfiguration: { Issuer: 'https://other.example.com', Audience: ['x', 'y'] } }));
    assert.equal(updated.Name, 'upd');
    assert.deepEqual(updated.JwtConfiguration, { Issuer: 'https://other.example.com', Audience: ['x', 'y'] });
    await rejectsAws(
      s.client.send(new UpdateAuthorizerCommand({ ApiId: httpApi, AuthorizerId: a.AuthorizerId, IdentitySource: ['$request.header.a', '$request.header.b'] })),
      'BadRequestException',
      'JWT authorizers take exactly one identitySource, $request.header.{name} or $request.querystring.{name}',
    );
    await rejectsAws(s.client.send(new GetAuthorizerCommand({ ApiId: httpApi, AuthorizerId: 'nope000' })), 'NotFoundException', 'Invalid Authorizer identifier specified nope000');
  });

  it('DeleteAuthorizer is refused while a route uses it, with AWS wording', async () => {
    const a = await s.client.send(new CreateAuthorizerCommand({ ApiId: httpApi, ...JWT, Name: 'in-use' }));
    const route = await s.client.send(new CreateRouteCommand({ ApiId: httpApi, RouteKey: 'POST /pdf/generate', AuthorizationType: 'JWT', AuthorizerId: a.AuthorizerId }));
    await rejectsAws(
      s.client.send(new DeleteAuthorizerCommand({ ApiId: httpApi, AuthorizerId: a.AuthorizerId })),
      'ConflictException',
      "Cannot delete authorizer 'in-use', is referenced in route: POST /pdf/generate",
      409,
    );
    await s.client.send(new UpdateRouteCommand({ ApiId: httpApi, RouteId: route.RouteId, AuthorizationType: 'NONE' }));
    await s.client.send(new DeleteAuthorizerCommand({ ApiId: httpApi, AuthorizerId: a.AuthorizerId }));
    const { Items } = await s.client.send(new GetAuthorizersCommand({ ApiId: httpApi }));
    assert.ok(!Items?.some((x) => x.AuthorizerId === a.AuthorizerId));
  });
});
