/**
 * aws_apigatewayv2_integration_response: the request sequences of terraform-provider-aws's acceptance tests
 * (internal/service/apigatewayv2/integration_response_test.go, commit cda04ab9f781590765d09e3883f1f56e29710079)
 * and integration_response.go (commit 7b71001277b39922321c255ecfd7d98d29184465): create with the set members,
 * update with the changed ones (the key included).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';
import { assertEmpty, assertUnset, call, ok, wsApiWithMock } from './helpers.js';

describe('terraform aws_apigatewayv2_integration_response', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  const path = (apiId: string, integrationId: string) => `/v2/apis/${apiId}/integrations/${integrationId}/integrationresponses`;

  // TestAccAPIGatewayV2IntegrationResponse_basic: key "/200/" on a WebSocket MOCK integration.
  it('CreateIntegrationResponse /200/', async () => {
    const { apiId, integrationId } = await wsApiWithMock(s);
    const { integrationResponseId } = ok(await call(s, 'POST', path(apiId, integrationId), { integrationResponseKey: '/200/' }), 201);
    const r = ok(await call(s, 'GET', `${path(apiId, integrationId)}/${integrationResponseId}`));
    assertUnset(r.contentHandlingStrategy, 'contentHandlingStrategy');
    assert.equal(r.integrationResponseKey, '/200/');
    assertEmpty(r.responseTemplates, 'responseTemplates');
    assertUnset(r.templateSelectionExpression, 'templateSelectionExpression');
  });

  // TestAccAPIGatewayV2IntegrationResponse_allAttributes: an empty template is stored and read back as "";
  // the update renames the key to /404/ and replaces the templates.
  it('CreateIntegrationResponse / UpdateIntegrationResponse with every attribute', async () => {
    const { apiId, integrationId } = await wsApiWithMock(s);
    const { integrationResponseId } = ok(await call(s, 'POST', path(apiId, integrationId), {
      integrationResponseKey: '$default', contentHandlingStrategy: 'CONVERT_TO_TEXT', templateSelectionExpression: '$request.body.name', responseTemplates: { 'application/json': '' },
    }), 201);
    const url = `${path(apiId, integrationId)}/${integrationResponseId}`;
    let r = ok(await call(s, 'GET', url));
    assert.equal(r.contentHandlingStrategy, 'CONVERT_TO_TEXT');
    assert.deepEqual(r.responseTemplates, { 'application/json': '' });
    assert.equal(r.templateSelectionExpression, '$request.body.name');

    ok(await call(s, 'PATCH', url, {
      contentHandlingStrategy: 'CONVERT_TO_BINARY', integrationResponseKey: '/404/', templateSelectionExpression: '$request.body.id',
      responseTemplates: { 'application/json': '#set($number=42)', 'application/xml': '#set($percent=$number/100)' },
    }));
    r = ok(await call(s, 'GET', url));
    assert.equal(r.contentHandlingStrategy, 'CONVERT_TO_BINARY');
    assert.equal(r.integrationResponseKey, '/404/');
    assert.deepEqual(r.responseTemplates, { 'application/json': '#set($number=42)', 'application/xml': '#set($percent=$number/100)' });
    assert.equal(r.templateSelectionExpression, '$request.body.id');
  });

  // TestAccAPIGatewayV2IntegrationResponse_disappears: NotFoundException once deleted.
  it('DeleteIntegrationResponse, then GetIntegrationResponse answers NotFoundException', async () => {
    const { apiId, integrationId } = await wsApiWithMock(s);
    const { integrationResponseId } = ok(await call(s, 'POST', path(apiId, integrationId), { integrationResponseKey: '/200/' }), 201);
    ok(await call(s, 'DELETE', `${path(apiId, integrationId)}/${integrationResponseId}`), 204);
    const res = await call(s, 'GET', `${path(apiId, integrationId)}/${integrationResponseId}`);
    assert.equal(res.status, 404);
    assert.equal(res.type, 'NotFoundException');
  });
});
