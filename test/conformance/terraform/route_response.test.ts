/**
 * aws_apigatewayv2_route_response: the request sequences of terraform-provider-aws's acceptance tests
 * (internal/service/apigatewayv2/route_response_test.go, commit 2f947156dd2cff776bd7ffa319dade296d676e4c):
 * route responses of a WebSocket $default route that has no routeResponseSelectionExpression.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';
import { assertEmpty, assertUnset, call, createRoute, ok, wsApi } from './helpers.js';

const SCHEMA = JSON.stringify({ $schema: 'http://json-schema.org/draft-04/schema#', title: 'ExampleModel', type: 'object', properties: { id: { type: 'string' } } });

describe('terraform aws_apigatewayv2_route_response', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  // TestAccAPIGatewayV2RouteResponse_basic (testAccRouteConfig_basicWebSocket + route response $default).
  it('CreateRouteResponse $default', async () => {
    const { apiId } = await wsApi(s);
    const { routeId } = await createRoute(s, apiId, { routeKey: '$default' });
    const url = `/v2/apis/${apiId}/routes/${routeId}/routeresponses`;
    const { routeResponseId } = ok(await call(s, 'POST', url, { routeResponseKey: '$default' }), 201);
    const r = ok(await call(s, 'GET', `${url}/${routeResponseId}`));
    assertUnset(r.modelSelectionExpression, 'modelSelectionExpression');
    assertEmpty(r.responseModels, 'responseModels');
    assert.equal(r.routeResponseKey, '$default');
  });

  // TestAccAPIGatewayV2RouteResponse_model (testAccRouteConfig_model + route response with a response model).
  it('CreateRouteResponse with a response model', async () => {
    const { apiId } = await wsApi(s);
    ok(await call(s, 'POST', `/v2/apis/${apiId}/models`, { contentType: 'application/json', name: 'tfacctest', schema: SCHEMA }), 201);
    const { routeId } = await createRoute(s, apiId, { routeKey: '$default', modelSelectionExpression: 'action', requestModels: { test: 'tfacctest' } });
    const url = `/v2/apis/${apiId}/routes/${routeId}/routeresponses`;
    const { routeResponseId } = ok(await call(s, 'POST', url, { routeResponseKey: '$default', modelSelectionExpression: 'action', responseModels: { test: 'tfacctest' } }), 201);
    const r = ok(await call(s, 'GET', `${url}/${routeResponseId}`));
    assert.equal(r.modelSelectionExpression, 'action');
    assert.deepEqual(r.responseModels, { test: 'tfacctest' });
  });

  // TestAccAPIGatewayV2RouteResponse_disappears: NotFoundException once deleted.
  it('DeleteRouteResponse, then GetRouteResponse answers NotFoundException', async () => {
    const { apiId } = await wsApi(s);
    const { routeId } = await createRoute(s, apiId, { routeKey: '$default' });
    const url = `/v2/apis/${apiId}/routes/${routeId}/routeresponses`;
    const { routeResponseId } = ok(await call(s, 'POST', url, { routeResponseKey: '$default' }), 201);
    ok(await call(s, 'DELETE', `${url}/${routeResponseId}`), 204);
    const res = await call(s, 'GET', `${url}/${routeResponseId}`);
    assert.equal(res.status, 404);
    assert.equal(res.type, 'NotFoundException');
  });
});
