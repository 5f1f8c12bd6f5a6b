/**
 * aws_apigatewayv2_route: the request sequences of terraform-provider-aws's acceptance tests
 * (internal/service/apigatewayv2/route_test.go, commit 3db496c3ef13bcbf12b401ce6f353c55b76701fa) and the
 * members resourceRouteCreate/Update send (route.go, commit 0964ed39dadd350ec504a9535b4f507e649153d9):
 * apiKeyRequired and authorizationType always on create; on update every changed member, "" for a removed
 * string; removed request parameters go through DeleteRouteRequestParameter first.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';
import {
  assertEmpty, assertUnset, call, createIntegration, createRoute, httpApi, JWT_ISSUER, LAMBDA_INVOKE_ARN, label, ok, refused, sorted, wsApi,
} from './helpers.js';

const EXAMPLE_SCHEMA = JSON.stringify({ $schema: 'http://json-schema.org/draft-04/schema#', title: 'ExampleModel', type: 'object', properties: { id: { type: 'string' } } });

describe('terraform aws_apigatewayv2_route', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  const get = async (apiId: string, id: string) => ok(await call(s, 'GET', `/v2/apis/${apiId}/routes/${id}`));
  const update = async (apiId: string, id: string, body: Record<string, unknown>) => ok(await call(s, 'PATCH', `/v2/apis/${apiId}/routes/${id}`, body));

  /** testAccAuthorizerConfig_basic: a WebSocket REQUEST authorizer without identity sources. */
  const wsRequestAuthorizer = async (apiId: string) =>
    ok(await call(s, 'POST', `/v2/apis/${apiId}/authorizers`, { authorizerType: 'REQUEST', authorizerUri: LAMBDA_INVOKE_ARN, identitySource: [], name: 'tf-auth' }), 201);

  /** testAccAuthorizerConfig_jwt: an HTTP JWT authorizer. */
  const jwtAuthorizer = async (apiId: string) =>
    ok(await call(s, 'POST', `/v2/apis/${apiId}/authorizers`, {
      authorizerType: 'JWT', identitySource: ['$request.header.Authorization'], name: 'tf-jwt', jwtConfiguration: { audience: ['test'], issuer: JWT_ISSUER },
    }), 201);

  // TestAccAPIGatewayV2Route_basic (testAccRouteConfig_basicWebSocket).
  it('CreateRoute WebSocket $default with the provider defaults', async () => {
    const { apiId } = await wsApi(s);
    const { routeId } = await createRoute(s, apiId, { routeKey: '$default' });
    const r = await get(apiId, routeId);
    assert.equal(r.apiKeyRequired, false);
    assert.equal(r.authorizationType, 'NONE');
    assertUnset(r.authorizerId, 'authorizerId');
    assertUnset(r.modelSelectionExpression, 'modelSelectionExpression');
    assertUnset(r.operationName, 'operationName');
    assertEmpty(r.requestModels, 'requestModels');
    assertEmpty(r.requestParameters, 'requestParameters');
    assert.equal(r.routeKey, '$default');
    assertUnset(r.routeResponseSelectionExpression, 'routeResponseSelectionExpression');
    assertUnset(r.target, 'target');
  });

  // TestAccAPIGatewayV2Route_authorizer: CUSTOM on $connect, then AWS_IAM with the authorizer removed, which
  // resourceRouteUpdate sends as authorizerId "".
  it('UpdateRoute CUSTOM -> AWS_IAM: authorizerId "" detaches the authorizer', async () => {
    const { apiId } = await wsApi(s);
    const { authorizerId } = await wsRequestAuthorizer(apiId);
    const { routeId } = await createRoute(s, apiId, { routeKey: '$connect', authorizationType: 'CUSTOM', authorizerId });
    let r = await get(apiId, routeId);
    assert.equal(r.authorizationType, 'CUSTOM');
    assert.equal(r.authorizerId, authorizerId);
    assertEmpty(r.authorizationScopes, 'authorizationScopes');
    await update(apiId, routeId, { authorizationType: 'AWS_IAM', authorizerId: '' });
    r = await get(apiId, routeId);
    assert.equal(r.authorizationType, 'AWS_IAM');
    assertUnset(r.authorizerId, 'authorizerId');
  });

  // TestAccAPIGatewayV2Route_jwtAuthorization: JWT with two scopes, then one.
  it('CreateRoute / UpdateRoute JWT authorization scopes', async () => {
    const { apiId } = await httpApi(s);
    const { authorizerId } = await jwtAuthorizer(apiId);
    const { routeId } = await createRoute(s, apiId, { routeKey: 'GET /test', authorizationType: 'JWT', authorizerId, authorizationScopes: ['user.id', 'user.email'] });
    let r = await get(apiId, routeId);
    assert.deepEqual(sorted(r.authorizationScopes), ['user.email', 'user.id']);
    assert.equal(r.authorizerId, authorizerId);
    await update(apiId, routeId, { authorizationScopes: ['user.email'] });
    r = await get(apiId, routeId);
    assert.deepEqual(r.authorizationScopes, ['user.email']);
    assert.equal(r.authorizationType, 'JWT');
  });

  // TestAccAPIGatewayV2Route_model (testAccRouteConfig_model).
  it('CreateRoute with a request model', async () => {
    const { apiId } = await wsApi(s);
    ok(await call(s, 'POST', `/v2/apis/${apiId}/models`, { contentType: 'application/json', name: 'tfacctest', schema: EXAMPLE_SCHEMA }), 201);
    const { routeId } = await createRoute(s, apiId, { routeKey: '$default', modelSelectionExpression: 'action', requestModels: { test: 'tfacctest' } });
    const r = await get(apiId, routeId);
    assert.equal(r.modelSelectionExpression, 'action');
    assert.deepEqual(r.requestModels, { test: 'tfacctest' });
  });

  // TestAccAPIGatewayV2Route_requestParameters: changed set elements are deleted first (DeleteRouteRequestParameter),
  // then UpdateRoute sends the whole new set; removing all of them is DeleteRouteRequestParameter only.
  it('DeleteRouteRequestParameter + UpdateRoute requestParameters, then delete them all', async () => {
    const { apiId } = await wsApi(s);
    const auth = 'route.request.header.authorization';
    const token = 'route.request.querystring.authToken';
    const { routeId } = await createRoute(s, apiId, { routeKey: '$connect', requestParameters: { [auth]: { required: true } } });
    assert.deepEqual((await get(apiId, routeId)).requestParameters, { [auth]: { required: true } });

    ok(await call(s, 'DELETE', `/v2/apis/${apiId}/routes/${routeId}/requestparameters/${label(auth)}`), 204);
    await update(apiId, routeId, { requestParameters: { [auth]: { required: false }, [token]: { required: true } } });
    assert.deepEqual((await get(apiId, routeId)).requestParameters, { [auth]: { required: false }, [token]: { required: true } });

    ok(await call(s, 'DELETE', `/v2/apis/${apiId}/routes/${routeId}/requestparameters/${label(auth)}`), 204);
    ok(await call(s, 'DELETE', `/v2/apis/${apiId}/routes/${routeId}/requestparameters/${label(token)}`), 204);
    assertEmpty((await get(apiId, routeId)).requestParameters, 'requestParameters');
  });

  // TestAccAPIGatewayV2Route_simpleAttributes: simpleAttributes -> basic -> simpleAttributes; going back to basic
  // sends apiKeyRequired false, operationName "" and routeResponseSelectionExpression "".
  it('UpdateRoute: "" clears operationName and routeResponseSelectionExpression', async () => {
    const { apiId } = await wsApi(s);
    const simple = { apiKeyRequired: true, operationName: 'GET', routeResponseSelectionExpression: '$default' };
    const { routeId } = await createRoute(s, apiId, { routeKey: '$default', ...simple });
    let r = await get(apiId, routeId);
    assert.equal(r.apiKeyRequired, true);
    assert.equal(r.operationName, 'GET');
    assert.equal(r.routeResponseSelectionExpression, '$default');

    await update(apiId, routeId, { apiKeyRequired: false, operationName: '', routeResponseSelectionExpression: '' });
    r = await get(apiId, routeId);
    assert.equal(r.apiKeyRequired, false);
    assertUnset(r.operationName, 'operationName');
    assertUnset(r.routeResponseSelectionExpression, 'routeResponseSelectionExpression');

    await update(apiId, routeId, simple);
    r = await get(apiId, routeId);
    assert.equal(r.operationName, 'GET');
    assert.equal(r.routeResponseSelectionExpression, '$default');
  });

  // TestAccAPIGatewayV2Route_target (testAccRouteConfig_target): target "integrations/{id}" of a MOCK integration.
  it('CreateRoute with a target', async () => {
    const { apiId } = await wsApi(s);
    const { integrationId } = await createIntegration(s, apiId, { integrationType: 'MOCK' });
    const { routeId } = await createRoute(s, apiId, { routeKey: '$default', target: `integrations/${integrationId}` });
    assert.equal((await get(apiId, routeId)).target, `integrations/${integrationId}`);
  });

  // resourceRouteUpdate: removing `target` from the configuration sends target "" (route.go:
  // `if d.HasChange("target") { req.Target = aws.String(d.Get("target").(string)) }`).
  it('UpdateRoute: target "" detaches the integration', async () => {
    const { apiId } = await wsApi(s);
    const { integrationId } = await createIntegration(s, apiId, { integrationType: 'MOCK' });
    const { routeId } = await createRoute(s, apiId, { routeKey: '$default', target: `integrations/${integrationId}` });
    await update(apiId, routeId, { target: '' });
    assertUnset((await get(apiId, routeId)).target, 'target');
  });

  // TestAccAPIGatewayV2Route_updateRouteKey: the route key is updated in place.
  it('UpdateRoute routeKey', async () => {
    const { apiId } = await httpApi(s);
    const { routeId } = await createRoute(s, apiId, { routeKey: 'GET /path' });
    await update(apiId, routeId, { routeKey: 'POST /new/path' });
    assert.equal((await get(apiId, routeId)).routeKey, 'POST /new/path');
  });

  // AWS's answer to a JWT route whose authorizerId is not a JWT authorizer of this API, quoted in
  // anomalyco/sst#470 and #4097 (terraform provider aws@6.52.0, CreateRoute 400).
  it('CreateRoute JWT with an unknown authorizer is refused', async () => {
    const { apiId } = await httpApi(s);
    refused(
      await call(s, 'POST', `/v2/apis/${apiId}/routes`, { apiKeyRequired: false, authorizationType: 'JWT', authorizerId: 'abc123', routeKey: 'GET /pets' }),
      400, 'BadRequestException', 'Invalid authorizer ID specified. Setting the authorization type to JWT requires a valid JWT authorizer.',
    );
  });

  // hashicorp/terraform-provider-aws#17497: a CUSTOM route naming a JWT authorizer.
  it('CreateRoute CUSTOM with a JWT authorizer is refused', async () => {
    const { apiId } = await httpApi(s);
    const { authorizerId } = await jwtAuthorizer(apiId);
    refused(
      await call(s, 'POST', `/v2/apis/${apiId}/routes`, { apiKeyRequired: false, authorizationType: 'CUSTOM', authorizerId, routeKey: 'GET /pets' }),
      400, 'BadRequestException', 'Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.',
    );
  });

  // TestAccAPIGatewayV2Route_disappears / resourceRouteDelete: NotFoundException once deleted.
  it('DeleteRoute, then GetRoute answers NotFoundException', async () => {
    const { apiId } = await wsApi(s);
    const { routeId } = await createRoute(s, apiId, { routeKey: '$default' });
    ok(await call(s, 'DELETE', `/v2/apis/${apiId}/routes/${routeId}`), 204);
    const res = await call(s, 'GET', `/v2/apis/${apiId}/routes/${routeId}`);
    assert.equal(res.status, 404);
    assert.equal(res.type, 'NotFoundException');
  });
});
