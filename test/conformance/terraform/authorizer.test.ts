/**
 * aws_apigatewayv2_authorizer: the request sequences of terraform-provider-aws's acceptance tests
 * (internal/service/apigatewayv2/authorizer_test.go, commit d49c1aa83df35e7a48f9cdeb11449767ac9940d1) and the
 * members resourceAuthorizerCreate/Update send (authorizer.go, commit 86475b48ed749daf986b84c0f92591eddcced1ba):
 * identitySource always (an empty list when none is configured); authorizerResultTtlInSeconds 300 for an HTTP
 * REQUEST authorizer without one; on update every changed member, "" for a removed string.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';
import { assertEmpty, assertUnset, call, httpApi, JWT_ISSUER, LAMBDA_INVOKE_ARN, ok, refused, ROLE_ARN, sorted, wsApi } from './helpers.js';

describe('terraform aws_apigatewayv2_authorizer', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  const create = async (apiId: string, body: Record<string, unknown>) => ok(await call(s, 'POST', `/v2/apis/${apiId}/authorizers`, body), 201);
  const get = async (apiId: string, id: string) => ok(await call(s, 'GET', `/v2/apis/${apiId}/authorizers/${id}`));
  const update = async (apiId: string, id: string, body: Record<string, unknown>) => ok(await call(s, 'PATCH', `/v2/apis/${apiId}/authorizers/${id}`, body));

  // TestAccAPIGatewayV2Authorizer_basic (testAccAuthorizerConfig_basic): a WebSocket REQUEST authorizer with
  // identitySource [] (flex.ExpandStringSet of an empty set is a non-nil empty list, so it is serialized).
  it('CreateAuthorizer WebSocket REQUEST with an empty identitySource', async () => {
    const { apiId } = await wsApi(s);
    const { authorizerId } = await create(apiId, { authorizerType: 'REQUEST', authorizerUri: LAMBDA_INVOKE_ARN, identitySource: [], name: 'tf-auth' });
    const a = await get(apiId, authorizerId);
    assertUnset(a.authorizerCredentialsArn, 'authorizerCredentialsArn');
    assertUnset(a.authorizerPayloadFormatVersion, 'authorizerPayloadFormatVersion');
    assert.equal(a.authorizerResultTtlInSeconds ?? 0, 0);
    assert.equal(a.authorizerType, 'REQUEST');
    assert.equal(a.authorizerUri, LAMBDA_INVOKE_ARN);
    assert.equal(a.enableSimpleResponses ?? false, false);
    assertEmpty(a.identitySource, 'identitySource');
    assert.equal(a.jwtConfiguration, undefined);
    assert.equal(a.name, 'tf-auth');
  });

  // TestAccAPIGatewayV2Authorizer_credentials: credentials -> two identity sources and a new name -> basic, which
  // sends authorizerCredentialsArn "" and identitySource [].
  it('UpdateAuthorizer: authorizerCredentialsArn "" and identitySource [] clear them', async () => {
    const { apiId } = await wsApi(s);
    const { authorizerId } = await create(apiId, {
      authorizerType: 'REQUEST', authorizerUri: LAMBDA_INVOKE_ARN, identitySource: ['route.request.header.Auth'], name: 'tf-creds', authorizerCredentialsArn: ROLE_ARN,
    });
    let a = await get(apiId, authorizerId);
    assert.equal(a.authorizerCredentialsArn, ROLE_ARN);
    assert.deepEqual(a.identitySource, ['route.request.header.Auth']);

    await update(apiId, authorizerId, { identitySource: ['route.request.header.Auth', 'route.request.querystring.Name'], name: 'tf-creds-updated' });
    a = await get(apiId, authorizerId);
    assert.deepEqual(sorted(a.identitySource), ['route.request.header.Auth', 'route.request.querystring.Name']);
    assert.equal(a.name, 'tf-creds-updated');

    await update(apiId, authorizerId, { authorizerCredentialsArn: '', identitySource: [], name: 'tf-creds' });
    a = await get(apiId, authorizerId);
    assertUnset(a.authorizerCredentialsArn, 'authorizerCredentialsArn');
    assertEmpty(a.identitySource, 'identitySource');
    assert.equal(a.name, 'tf-creds');
    assert.equal(a.authorizerUri, LAMBDA_INVOKE_ARN);
  });

  // TestAccAPIGatewayV2Authorizer_jwt: one audience, then two (expandJWTConfiguration sends audience and issuer).
  it('CreateAuthorizer / UpdateAuthorizer JWT audiences', async () => {
    const { apiId } = await httpApi(s);
    const { authorizerId } = await create(apiId, {
      authorizerType: 'JWT', identitySource: ['$request.header.Authorization'], name: 'tf-jwt', jwtConfiguration: { audience: ['test'], issuer: JWT_ISSUER },
    });
    let a = await get(apiId, authorizerId);
    assert.deepEqual(a.jwtConfiguration, { audience: ['test'], issuer: JWT_ISSUER });
    assertUnset(a.authorizerUri, 'authorizerUri');
    assert.equal(a.authorizerResultTtlInSeconds ?? 0, 0);
    await update(apiId, authorizerId, { jwtConfiguration: { audience: ['test', 'testing'], issuer: JWT_ISSUER } });
    a = await get(apiId, authorizerId);
    assert.deepEqual(sorted(a.jwtConfiguration.audience), ['test', 'testing']);
    assert.equal(a.jwtConfiguration.issuer, JWT_ISSUER);
  });

  // TestAccAPIGatewayV2Authorizer_HTTPAPILambdaRequestAuthorizer_initialMissingCacheTTL: TTL 300 sent by the
  // provider on create, then 3600 with payload 1.0 and simple responses off, then 0.
  it('CreateAuthorizer / UpdateAuthorizer HTTP REQUEST with caching', async () => {
    const { apiId } = await httpApi(s);
    const { authorizerId } = await create(apiId, {
      authorizerType: 'REQUEST', authorizerUri: LAMBDA_INVOKE_ARN, identitySource: ['$request.header.Auth'], name: 'tf-lambda',
      authorizerPayloadFormatVersion: '2.0', authorizerResultTtlInSeconds: 300, enableSimpleResponses: true,
    });
    let a = await get(apiId, authorizerId);
    assert.equal(a.authorizerPayloadFormatVersion, '2.0');
    assert.equal(a.authorizerResultTtlInSeconds, 300);
    assert.equal(a.enableSimpleResponses, true);

    const sources = ['$request.querystring.User', '$context.routeKey'];
    await update(apiId, authorizerId, { authorizerPayloadFormatVersion: '1.0', authorizerResultTtlInSeconds: 3600, enableSimpleResponses: false, identitySource: sources });
    a = await get(apiId, authorizerId);
    assert.equal(a.authorizerPayloadFormatVersion, '1.0');
    assert.equal(a.authorizerResultTtlInSeconds, 3600);
    assert.equal(a.enableSimpleResponses ?? false, false);
    assert.deepEqual(sorted(a.identitySource), sorted(sources));

    await update(apiId, authorizerId, { authorizerResultTtlInSeconds: 0 });
    assert.equal((await get(apiId, authorizerId)).authorizerResultTtlInSeconds ?? 0, 0);
  });

  // TestAccAPIGatewayV2Authorizer_HTTPAPILambdaRequestAuthorizer_initialZeroCacheTTL: TTL 0 at create, then 600.
  it('CreateAuthorizer HTTP REQUEST with TTL 0, then UpdateAuthorizer TTL 600', async () => {
    const { apiId } = await httpApi(s);
    const { authorizerId } = await create(apiId, {
      authorizerType: 'REQUEST', authorizerUri: LAMBDA_INVOKE_ARN, identitySource: ['$request.querystring.User', '$context.routeKey'], name: 'tf-lambda0',
      authorizerPayloadFormatVersion: '1.0', authorizerResultTtlInSeconds: 0,
    });
    assert.equal((await get(apiId, authorizerId)).authorizerResultTtlInSeconds ?? 0, 0);
    await update(apiId, authorizerId, { authorizerResultTtlInSeconds: 600 });
    assert.equal((await get(apiId, authorizerId)).authorizerResultTtlInSeconds, 600);
  });

  // hashicorp/terraform-provider-aws#15181: an HTTP REQUEST authorizer without authorizer_payload_format_version
  // ("BadRequestException: AuthorizerPayloadFormatVersion is a required parameter for REQUEST authorizer").
  it('CreateAuthorizer HTTP REQUEST without authorizerPayloadFormatVersion is refused', async () => {
    const { apiId } = await httpApi(s);
    refused(
      await call(s, 'POST', `/v2/apis/${apiId}/authorizers`, {
        authorizerType: 'REQUEST', authorizerUri: LAMBDA_INVOKE_ARN, identitySource: ['$request.header.Auth'], name: 'example-authorizer', authorizerResultTtlInSeconds: 300,
      }),
      400, 'BadRequestException', 'AuthorizerPayloadFormatVersion is a required parameter for REQUEST authorizer',
    );
  });

  // TestAccAPIGatewayV2Authorizer_disappears / resourceAuthorizerDelete: NotFoundException once deleted.
  it('DeleteAuthorizer, then GetAuthorizer answers NotFoundException', async () => {
    const { apiId } = await wsApi(s);
    const { authorizerId } = await create(apiId, { authorizerType: 'REQUEST', authorizerUri: LAMBDA_INVOKE_ARN, identitySource: [], name: 'tf-gone' });
    ok(await call(s, 'DELETE', `/v2/apis/${apiId}/authorizers/${authorizerId}`), 204);
    const res = await call(s, 'GET', `/v2/apis/${apiId}/authorizers/${authorizerId}`);
    assert.equal(res.status, 404);
    assert.equal(res.type, 'NotFoundException');
  });
});
