/**
 * aws_apigatewayv2_stage: the request sequences of terraform-provider-aws's acceptance tests
 * (internal/service/apigatewayv2/stage_test.go, commit af55dfb90500e80afb9d9ba64a76024e500c948a) and the
 * members resourceStageCreate/Update send (stage.go, commit 10afe5ab4187d8a9496ce064fe1b61737c807750):
 * autoDeploy always on create; only changed members on update; removed stage variables as ""; removed or
 * changed route settings deleted first with DeleteRouteSettings (NotFoundException tolerated), then the whole
 * new map; dataTraceEnabled/loggingLevel sent only for WebSocket APIs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';
import {
  assertEmpty, assertUnset, call, createRoute, createStage, dependencyHttpProxy, httpApi, label, LOG_GROUP_ARN, ok, refused, REGION, wsApi, wsApiWithMock,
} from './helpers.js';

/** Route settings as flattenRouteSettings reads them (absent numbers/booleans read as 0/false). */
const read = (rs: any) => ({
  dataTraceEnabled: rs?.dataTraceEnabled ?? false,
  detailedMetricsEnabled: rs?.detailedMetricsEnabled ?? false,
  throttlingBurstLimit: rs?.throttlingBurstLimit ?? 0,
  throttlingRateLimit: rs?.throttlingRateLimit ?? 0,
});
const ZERO = { dataTraceEnabled: false, detailedMetricsEnabled: false, throttlingBurstLimit: 0, throttlingRateLimit: 0 };

describe('terraform aws_apigatewayv2_stage', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  const get = async (apiId: string, name: string) => ok(await call(s, 'GET', `/v2/apis/${apiId}/stages/${label(name)}`));
  const update = async (apiId: string, name: string, body: Record<string, unknown>) => call(s, 'PATCH', `/v2/apis/${apiId}/stages/${label(name)}`, body);
  /** resourceStageUpdate deletes route settings first and ignores NotFoundException. */
  const deleteRouteSettings = async (apiId: string, name: string, routeKey: string) => {
    const res = await call(s, 'DELETE', `/v2/apis/${apiId}/stages/${label(name)}/routesettings/${label(routeKey)}`);
    assert.ok(res.status === 204 || (res.status === 404 && res.type === 'NotFoundException'), `DeleteRouteSettings ${routeKey}: ${res.status} ${JSON.stringify(res.body)}`);
  };

  // TestAccAPIGatewayV2Stage_basicWebSocket: default_route_settings.# = 1 with logging_level OFF, everything else empty.
  it('CreateStage WebSocket with the provider defaults', async () => {
    const { apiId } = await wsApi(s);
    await createStage(s, apiId, { stageName: 'tf-ws' });
    const st = await get(apiId, 'tf-ws');
    assert.equal(st.accessLogSettings, undefined);
    // The provider reads a missing autoDeploy as false; AWS leaves it out when off (the AWS CLI's get-stage example).
    assert.notEqual(st.autoDeploy, true);
    assertUnset(st.clientCertificateId, 'clientCertificateId');
    assert.deepEqual(read(st.defaultRouteSettings), ZERO);
    assert.equal(st.defaultRouteSettings.loggingLevel, 'OFF');
    assertUnset(st.deploymentId, 'deploymentId');
    assertUnset(st.description, 'description');
    assertEmpty(st.routeSettings, 'routeSettings');
    assertEmpty(st.stageVariables, 'stageVariables');
    assertEmpty(st.tags, 'tags');
  });

  // TestAccAPIGatewayV2Stage_basicHTTP and _defaultHTTPStage: default_route_settings.# = 1 with logging_level "".
  it('CreateStage HTTP (named and $default) with the provider defaults', async () => {
    const { apiId } = await httpApi(s);
    for (const name of ['tf-http', '$default']) {
      await createStage(s, apiId, { stageName: name });
      const st = await get(apiId, name);
      assert.equal(st.stageName, name);
      assert.ok(st.defaultRouteSettings, 'defaultRouteSettings is returned');
      assert.deepEqual(read(st.defaultRouteSettings), ZERO);
      assertUnset(st.defaultRouteSettings.loggingLevel, 'loggingLevel');
      assertEmpty(st.routeSettings, 'routeSettings');
      assertEmpty(st.stageVariables, 'stageVariables');
    }
  });

  // TestAccAPIGatewayV2Stage_autoDeployHTTP: auto_deploy false -> true is UpdateStage {autoDeploy: true}.
  it('UpdateStage autoDeploy true', async () => {
    const { apiId } = await httpApi(s);
    const integrationId = await dependencyHttpProxy(s, apiId);
    await createRoute(s, apiId, { routeKey: 'GET /test', target: `integrations/${integrationId}` });
    await createStage(s, apiId, { stageName: 'tf-auto' });
    ok(await update(apiId, 'tf-auto', { autoDeploy: true }));
    assert.equal((await get(apiId, 'tf-auto')).autoDeploy, true);
  });

  // resourceStageUpdate sends only the changed members: a description change on an auto-deployed stage is
  // {"description": ...} alone (stage.go `if d.HasChange("description")`).
  it('UpdateStage description alone on an autoDeploy stage', async () => {
    const { apiId } = await httpApi(s);
    const integrationId = await dependencyHttpProxy(s, apiId);
    await createRoute(s, apiId, { routeKey: 'GET /test', target: `integrations/${integrationId}` });
    await createStage(s, apiId, { stageName: 'tf-auto-desc', autoDeploy: true });
    ok(await update(apiId, 'tf-auto-desc', { description: 'x' }));
    const st = await get(apiId, 'tf-auto-desc');
    assert.equal(st.description, 'x');
    assert.equal(st.autoDeploy, true);
  });

  // TestAccAPIGatewayV2Stage_accessLogSettings: create, then change the format.
  it('CreateStage / UpdateStage accessLogSettings', async () => {
    const { apiId } = await wsApi(s);
    await createStage(s, apiId, { stageName: 'tf-logs', accessLogSettings: { destinationArn: LOG_GROUP_ARN, format: '$context.identity.sourceIp $context.requestId' } });
    assert.deepEqual((await get(apiId, 'tf-logs')).accessLogSettings, { destinationArn: LOG_GROUP_ARN, format: '$context.identity.sourceIp $context.requestId' });
    ok(await update(apiId, 'tf-logs', { accessLogSettings: { destinationArn: LOG_GROUP_ARN, format: '$context.requestId' } }));
    assert.deepEqual((await get(apiId, 'tf-logs')).accessLogSettings, { destinationArn: LOG_GROUP_ARN, format: '$context.requestId' });
  });

  // TestAccAPIGatewayV2Stage_clientCertificateIdAndDescription: removing client_certificate_id sends "".
  it('UpdateStage: clientCertificateId "" detaches the client certificate', async () => {
    const { apiId } = await wsApi(s);
    await createStage(s, apiId, { stageName: 'tf-cert', clientCertificateId: 'x1y2z3', description: 'Test stage' });
    let st = await get(apiId, 'tf-cert');
    assert.equal(st.clientCertificateId, 'x1y2z3');
    assert.equal(st.description, 'Test stage');
    ok(await update(apiId, 'tf-cert', { clientCertificateId: '', description: 'Test stage updated' }));
    st = await get(apiId, 'tf-cert');
    assertUnset(st.clientCertificateId, 'clientCertificateId');
    assert.equal(st.description, 'Test stage updated');
  });

  // TestAccAPIGatewayV2Stage_defaultRouteSettingsWebSocket: every member, then other values.
  it('CreateStage / UpdateStage WebSocket defaultRouteSettings', async () => {
    const { apiId } = await wsApi(s);
    await createStage(s, apiId, {
      stageName: 'tf-drs', defaultRouteSettings: { dataTraceEnabled: true, detailedMetricsEnabled: true, loggingLevel: 'ERROR', throttlingBurstLimit: 2222, throttlingRateLimit: 8888 },
    });
    let drs = (await get(apiId, 'tf-drs')).defaultRouteSettings;
    assert.deepEqual(read(drs), { dataTraceEnabled: true, detailedMetricsEnabled: true, throttlingBurstLimit: 2222, throttlingRateLimit: 8888 });
    assert.equal(drs.loggingLevel, 'ERROR');
    ok(await update(apiId, 'tf-drs', {
      defaultRouteSettings: { dataTraceEnabled: false, detailedMetricsEnabled: true, loggingLevel: 'INFO', throttlingBurstLimit: 1111, throttlingRateLimit: 9999 },
    }));
    drs = (await get(apiId, 'tf-drs')).defaultRouteSettings;
    assert.deepEqual(read(drs), { dataTraceEnabled: false, detailedMetricsEnabled: true, throttlingBurstLimit: 1111, throttlingRateLimit: 9999 });
    assert.equal(drs.loggingLevel, 'INFO');
  });

  // TestAccAPIGatewayV2Stage_defaultRouteSettingsHTTP: no dataTraceEnabled/loggingLevel for HTTP APIs.
  it('CreateStage / UpdateStage HTTP defaultRouteSettings', async () => {
    const { apiId } = await httpApi(s);
    await createStage(s, apiId, { stageName: 'tf-drs', defaultRouteSettings: { detailedMetricsEnabled: true, throttlingBurstLimit: 2222, throttlingRateLimit: 8888 } });
    assert.deepEqual(read((await get(apiId, 'tf-drs')).defaultRouteSettings), { dataTraceEnabled: false, detailedMetricsEnabled: true, throttlingBurstLimit: 2222, throttlingRateLimit: 8888 });
    ok(await update(apiId, 'tf-drs', { defaultRouteSettings: { detailedMetricsEnabled: false, throttlingBurstLimit: 1111, throttlingRateLimit: 9999 } }));
    const drs = (await get(apiId, 'tf-drs')).defaultRouteSettings;
    assert.deepEqual(read(drs), { dataTraceEnabled: false, detailedMetricsEnabled: false, throttlingBurstLimit: 1111, throttlingRateLimit: 9999 });
    assertUnset(drs.loggingLevel, 'loggingLevel');
  });

  // TestAccAPIGatewayV2Stage_deployment (testAccStageConfig_deployment): a stage on an existing deployment.
  it('CreateStage with a deploymentId', async () => {
    const { apiId, integrationId } = await wsApiWithMock(s);
    await createRoute(s, apiId, { routeKey: '$default', target: `integrations/${integrationId}` });
    const { deploymentId } = ok(await call(s, 'POST', `/v2/apis/${apiId}/deployments`, { description: 'Test description' }), 201);
    await createStage(s, apiId, { stageName: 'tf-dep', deploymentId });
    assert.equal((await get(apiId, 'tf-dep')).deploymentId, deploymentId);
  });

  // TestAccAPIGatewayV2Stage_routeSettingsWebSocket: settings for $default and $connect (then $disconnect) on a
  // WebSocket API that has no routes at all are accepted; the update deletes the changed elements first, then
  // sends the whole map; going back to no settings deletes all three and sends routeSettings {}.
  it('CreateStage / UpdateStage WebSocket routeSettings for $default, $connect and $disconnect without routes', async () => {
    const { apiId } = await wsApi(s);
    await createStage(s, apiId, {
      stageName: 'tf-rs',
      routeSettings: {
        $default: { ...ZERO },
        $connect: { dataTraceEnabled: true, detailedMetricsEnabled: true, loggingLevel: 'ERROR', throttlingBurstLimit: 2222, throttlingRateLimit: 8888 },
      },
    });
    let rs = (await get(apiId, 'tf-rs')).routeSettings;
    assert.deepEqual(Object.keys(rs).sort(), ['$connect', '$default']);
    assert.deepEqual(read(rs.$default), ZERO);
    assert.deepEqual(read(rs.$connect), { dataTraceEnabled: true, detailedMetricsEnabled: true, throttlingBurstLimit: 2222, throttlingRateLimit: 8888 });
    assert.equal(rs.$connect.loggingLevel, 'ERROR');

    await deleteRouteSettings(apiId, 'tf-rs', '$default');
    await deleteRouteSettings(apiId, 'tf-rs', '$connect');
    ok(await update(apiId, 'tf-rs', {
      routeSettings: {
        $default: { ...ZERO, throttlingBurstLimit: 1111, throttlingRateLimit: 9999 },
        $connect: { ...ZERO, loggingLevel: 'INFO' },
        $disconnect: { ...ZERO },
      },
    }));
    rs = (await get(apiId, 'tf-rs')).routeSettings;
    assert.deepEqual(Object.keys(rs).sort(), ['$connect', '$default', '$disconnect']);
    assert.deepEqual(read(rs.$default), { ...ZERO, throttlingBurstLimit: 1111, throttlingRateLimit: 9999 });
    assert.equal(rs.$connect.loggingLevel, 'INFO');
    assert.deepEqual(read(rs.$disconnect), ZERO);

    for (const key of ['$default', '$connect', '$disconnect']) await deleteRouteSettings(apiId, 'tf-rs', key);
    ok(await update(apiId, 'tf-rs', { routeSettings: {} }));
    assertEmpty((await get(apiId, 'tf-rs')).routeSettings, 'routeSettings');
  });

  // TestAccAPIGatewayV2Stage_routeSettingsHTTP: settings for $default on an HTTP API without a $default route.
  it('CreateStage / UpdateStage HTTP routeSettings for $default without a $default route', async () => {
    const { apiId } = await httpApi(s);
    await createStage(s, apiId, { stageName: 'tf-rs', routeSettings: { $default: { detailedMetricsEnabled: true, throttlingBurstLimit: 2222, throttlingRateLimit: 8888 } } });
    let rs = (await get(apiId, 'tf-rs')).routeSettings;
    assert.deepEqual(Object.keys(rs), ['$default']);
    assert.deepEqual(read(rs.$default), { dataTraceEnabled: false, detailedMetricsEnabled: true, throttlingBurstLimit: 2222, throttlingRateLimit: 8888 });

    await deleteRouteSettings(apiId, 'tf-rs', '$default');
    ok(await update(apiId, 'tf-rs', { routeSettings: { $default: { detailedMetricsEnabled: false, throttlingBurstLimit: 1111, throttlingRateLimit: 9999 } } }));
    rs = (await get(apiId, 'tf-rs')).routeSettings;
    assert.deepEqual(read(rs.$default), { dataTraceEnabled: false, detailedMetricsEnabled: false, throttlingBurstLimit: 1111, throttlingRateLimit: 9999 });

    await deleteRouteSettings(apiId, 'tf-rs', '$default');
    ok(await update(apiId, 'tf-rs', { routeSettings: {} }));
    assertEmpty((await get(apiId, 'tf-rs')).routeSettings, 'routeSettings');
  });

  // TestAccAPIGatewayV2Stage_RouteSettingsHTTP_withRoute (and hashicorp/terraform-provider-aws#16094): the route's
  // key is renamed in place, the old key's settings are deleted, the new key's sent.
  it('UpdateStage routeSettings follow a renamed route', async () => {
    const { apiId } = await httpApi(s);
    const integrationId = await dependencyHttpProxy(s, apiId);
    const { routeId } = await createRoute(s, apiId, { routeKey: 'GET /first', target: `integrations/${integrationId}` });
    const setting = { detailedMetricsEnabled: false, throttlingBurstLimit: 1, throttlingRateLimit: 0 };
    await createStage(s, apiId, { stageName: 'tf-rs', routeSettings: { 'GET /first': setting } });
    assert.deepEqual(Object.keys((await get(apiId, 'tf-rs')).routeSettings), ['GET /first']);

    ok(await call(s, 'PATCH', `/v2/apis/${apiId}/routes/${routeId}`, { routeKey: 'POST /second' }));
    await deleteRouteSettings(apiId, 'tf-rs', 'GET /first');
    ok(await update(apiId, 'tf-rs', { routeSettings: { 'POST /second': setting } }));
    const rs = (await get(apiId, 'tf-rs')).routeSettings;
    assert.deepEqual(Object.keys(rs), ['POST /second']);
    assert.deepEqual(read(rs['POST /second']), { ...setting, dataTraceEnabled: false });
  });

  // TestAccAPIGatewayV2Stage_stageVariables: removing every variable sends each as "" and leaves none.
  it('UpdateStage: a stage variable set to "" is removed', async () => {
    const { apiId } = await wsApi(s);
    await createStage(s, apiId, { stageName: 'tf-vars', stageVariables: { Var1: 'Value1', Var2: 'Value2' } });
    assert.deepEqual((await get(apiId, 'tf-vars')).stageVariables, { Var1: 'Value1', Var2: 'Value2' });
    ok(await update(apiId, 'tf-vars', { stageVariables: { Var1: '', Var2: '' } }));
    assertEmpty((await get(apiId, 'tf-vars')).stageVariables, 'stageVariables');
  });

  // TestAccAPIGatewayV2Stage_tags: tags at create, UntagResource on the stage ARN.
  it('CreateStage tags, then UntagResource', async () => {
    const { apiId } = await wsApi(s);
    await createStage(s, apiId, { stageName: 'tf-tags', tags: { Key1: 'Value1', Key2: 'Value2' } });
    assert.deepEqual((await get(apiId, 'tf-tags')).tags, { Key1: 'Value1', Key2: 'Value2' });
    const arn = `arn:aws:apigateway:${REGION}::/apis/${apiId}/stages/tf-tags`;
    ok(await call(s, 'DELETE', `/v2/tags/${label(arn)}?tagKeys=Key1&tagKeys=Key2`), 204);
    assertEmpty((await get(apiId, 'tf-tags')).tags, 'tags');
  });

  // terraform-aws-modules/terraform-aws-apigateway-v2#80 (CreateStage 404, message quoted with its RespMetadata).
  it('CreateStage refuses route settings for a route key the API does not have', async () => {
    const { apiId } = await httpApi(s);
    refused(
      await call(s, 'POST', `/v2/apis/${apiId}/stages`, { autoDeploy: false, stageName: 'tf-missing', routeSettings: { 'GET /some-route': { throttlingBurstLimit: 1 } } }),
      404, 'NotFoundException', 'Unable to find Route by key GET /some-route within the provided RouteSettings',
    );
  });

  // hashicorp/terraform-provider-aws#11148 (comment: the provider sent default_route_settings logging_level "OFF"),
  // #14010, #12893: why stage.go sends loggingLevel/dataTraceEnabled only for WebSocket APIs.
  it('UpdateStage refuses loggingLevel on an HTTP API', async () => {
    const { apiId } = await httpApi(s);
    await createStage(s, apiId, { stageName: 'tf-nologs' });
    refused(
      await update(apiId, 'tf-nologs', { defaultRouteSettings: { detailedMetricsEnabled: false, loggingLevel: 'OFF', throttlingBurstLimit: 0, throttlingRateLimit: 0 } }),
      400, 'BadRequestException', 'Execution logs are not supported on protocolType HTTP',
    );
  });
});
