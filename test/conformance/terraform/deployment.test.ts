/**
 * aws_apigatewayv2_deployment: the request sequences of terraform-provider-aws's acceptance tests
 * (internal/service/apigatewayv2/deployment_test.go, commit 0a8e9755827b119eda84ee751615798c43dacd2a) and
 * deployment.go (commit b4affb1fa9cc7f10d3c4932bd09b37a752b37f48): CreateDeployment {description}, then
 * WaitDeploymentDeployed polls GetDeployment until deploymentStatus is DEPLOYED; update sends the description.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';
import { call, createRoute, httpApi, ok, refused, wsApiWithMock } from './helpers.js';

describe('terraform aws_apigatewayv2_deployment', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  /** testAccRouteConfig_target: a WebSocket API whose $default route targets a MOCK integration. */
  const deployableApi = async () => {
    const { apiId, integrationId } = await wsApiWithMock(s);
    await createRoute(s, apiId, { routeKey: '$default', target: `integrations/${integrationId}` });
    return apiId;
  };
  const get = async (apiId: string, id: string) => ok(await call(s, 'GET', `/v2/apis/${apiId}/deployments/${id}`));

  // TestAccAPIGatewayV2Deployment_basic: create (waits for DEPLOYED), then a new description.
  it('CreateDeployment is DEPLOYED; UpdateDeployment description', async () => {
    const apiId = await deployableApi();
    const { deploymentId } = ok(await call(s, 'POST', `/v2/apis/${apiId}/deployments`, { description: 'Test description' }), 201);
    let d = await get(apiId, deploymentId);
    assert.equal(d.deploymentStatus, 'DEPLOYED');
    assert.equal(d.autoDeployed ?? false, false);
    assert.equal(d.description, 'Test description');
    ok(await call(s, 'PATCH', `/v2/apis/${apiId}/deployments/${deploymentId}`, { description: 'Test description updated' }));
    d = await get(apiId, deploymentId);
    assert.equal(d.deploymentStatus, 'DEPLOYED');
    assert.equal(d.description, 'Test description updated');
  });

  // TestAccAPIGatewayV2Deployment_triggers: create_before_destroy makes a new deployment, then deletes the old
  // one (no stage references it); TestAccAPIGatewayV2Deployment_disappears: NotFoundException afterwards.
  it('CreateDeployment again, then DeleteDeployment of the replaced one', async () => {
    const apiId = await deployableApi();
    const first = ok(await call(s, 'POST', `/v2/apis/${apiId}/deployments`, {}), 201).deploymentId;
    const second = ok(await call(s, 'POST', `/v2/apis/${apiId}/deployments`, {}), 201).deploymentId;
    assert.notEqual(first, second);
    assert.equal((await get(apiId, second)).deploymentStatus, 'DEPLOYED');
    ok(await call(s, 'DELETE', `/v2/apis/${apiId}/deployments/${first}`), 204);
    const res = await call(s, 'GET', `/v2/apis/${apiId}/deployments/${first}`);
    assert.equal(res.status, 404);
    assert.equal(res.type, 'NotFoundException');
  });

  // mach-composer/mach-composer-cli#42: "error creating API Gateway v2 deployment: BadRequestException: Unable to
  // deploy API because no routes exist in this API".
  it('CreateDeployment refuses an API without routes', async () => {
    const { apiId } = await httpApi(s);
    refused(await call(s, 'POST', `/v2/apis/${apiId}/deployments`, {}), 400, 'BadRequestException', 'Unable to deploy API because no routes exist in this API');
  });
});
