/**
 * aws_apigatewayv2_api: the request sequences of terraform-provider-aws's acceptance tests
 * (internal/service/apigatewayv2/api_test.go, commit 56dec8ba07b08b711c628be8b15fa1087bf9ea98) and
 * the members resourceAPICreate/Update send (api.go, commit 00a35305dc1b297a6fcdecdfbba33f1e63c3da39).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';
import { assertEmpty, assertUnset, call, createApi, label, ok, refused, REGION, sorted } from './helpers.js';

const lower = (values: readonly string[] | undefined) => sorted((values ?? []).map((v) => v.toLowerCase()));

/** An OpenAPI definition with one HTTP_PROXY route (testAccAPIConfig_OpenAPI). */
const openApi = (title: string, path: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    openapi: '3.0.1',
    info: { title, version: '1.0' },
    paths: {
      [path]: {
        get: {
          'x-amazon-apigateway-integration': { type: 'HTTP_PROXY', httpMethod: 'GET', payloadFormatVersion: '1.0', uri: 'https://www.google.de' },
          ...extra,
        },
      },
    },
  });

describe('terraform aws_apigatewayv2_api', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  const getApi = async (apiId: string) => ok(await call(s, 'GET', `/v2/apis/${apiId}`));
  const routeKeys = async (apiId: string) => sorted(ok(await call(s, 'GET', `/v2/apis/${apiId}/routes`)).items.map((r: any) => r.routeKey));

  // TestAccAPIGatewayV2API_basicWebSocket: what resourceAPIRead stores after create must match the config (no diff).
  it('CreateApi WebSocket with the provider defaults', async () => {
    const { apiId } = await createApi(s, { name: 'tf-ws', protocolType: 'WEBSOCKET', routeSelectionExpression: '$request.body.action' });
    const api = await getApi(apiId);
    assert.ok(api.apiEndpoint);
    assert.equal(api.apiKeySelectionExpression, '$request.header.x-api-key');
    assert.equal(api.corsConfiguration, undefined);
    assertUnset(api.description, 'description');
    assert.equal(api.disableExecuteApiEndpoint ?? false, false);
    assert.equal(api.name, 'tf-ws');
    assert.equal(api.protocolType, 'WEBSOCKET');
    assert.equal(api.routeSelectionExpression, '$request.body.action');
    assertEmpty(api.tags, 'tags');
    assertUnset(api.version, 'version');
  });

  // TestAccAPIGatewayV2API_basicHTTP: the provider sends routeSelectionExpression "$request.method $request.path"
  // and apiKeySelectionExpression "$request.header.x-api-key" (schema defaults) for HTTP APIs too.
  it('CreateApi HTTP with the provider defaults', async () => {
    const { apiId } = await createApi(s, { name: 'tf-http', protocolType: 'HTTP' });
    const api = await getApi(apiId);
    assert.equal(api.apiKeySelectionExpression, '$request.header.x-api-key');
    assert.equal(api.routeSelectionExpression, '$request.method $request.path');
    assert.equal(api.corsConfiguration, undefined);
    assertUnset(api.description, 'description');
    assert.equal(api.disableExecuteApiEndpoint ?? false, false);
    assertUnset(api.version, 'version');
  });

  // TestAccAPIGatewayV2API_allAttributesWebSocket: allAttributes -> basic -> allAttributes(rName2). Removing
  // description/version from the config makes resourceAPIUpdate send them as "" (d.Get of an unset string).
  it('UpdateApi WebSocket: "" clears description and version', async () => {
    const all = { apiKeySelectionExpression: '$context.authorizer.usageIdentifierKey', description: 'test description', disableExecuteApiEndpoint: true, routeSelectionExpression: '$request.body.service', version: 'v1' };
    const { apiId } = await createApi(s, { name: 'tf-ws-all', protocolType: 'WEBSOCKET', ...all });
    let api = await getApi(apiId);
    assert.equal(api.apiKeySelectionExpression, '$context.authorizer.usageIdentifierKey');
    assert.equal(api.description, 'test description');
    assert.equal(api.disableExecuteApiEndpoint, true);
    assert.equal(api.routeSelectionExpression, '$request.body.service');
    assert.equal(api.version, 'v1');

    ok(await call(s, 'PATCH', `/v2/apis/${apiId}`, {
      apiKeySelectionExpression: '$request.header.x-api-key', description: '', disableExecuteApiEndpoint: false, routeSelectionExpression: '$request.body.action', version: '',
    }));
    api = await getApi(apiId);
    assert.equal(api.apiKeySelectionExpression, '$request.header.x-api-key');
    assertUnset(api.description, 'description');
    assert.equal(api.disableExecuteApiEndpoint ?? false, false);
    assert.equal(api.routeSelectionExpression, '$request.body.action');
    assertUnset(api.version, 'version');

    ok(await call(s, 'PATCH', `/v2/apis/${apiId}`, { ...all, name: 'tf-ws-all-2' }));
    api = await getApi(apiId);
    assert.equal(api.name, 'tf-ws-all-2');
    assert.equal(api.description, 'test description');
    assert.equal(api.version, 'v1');
  });

  // TestAccAPIGatewayV2API_allAttributesHTTP: the same "" clearing on an HTTP API.
  it('UpdateApi HTTP: "" clears description and version', async () => {
    const { apiId } = await createApi(s, { name: 'tf-http-all', protocolType: 'HTTP', description: 'test description', disableExecuteApiEndpoint: true, version: 'v1' });
    ok(await call(s, 'PATCH', `/v2/apis/${apiId}`, { description: '', disableExecuteApiEndpoint: false, version: '' }));
    const api = await getApi(apiId);
    assertUnset(api.description, 'description');
    assert.equal(api.disableExecuteApiEndpoint ?? false, false);
    assertUnset(api.version, 'version');
    assert.equal(api.routeSelectionExpression, '$request.method $request.path');
  });

  // TestAccAPIGatewayV2API_cors: expandCORS sends every member (allowCredentials false, empty lists, maxAge 0);
  // origins keep their case ("HTTP://WWW.EXAMPLE.ORG"); removing the block calls DeleteCorsConfiguration.
  it('CreateApi / UpdateApi corsConfiguration, then DeleteCorsConfiguration', async () => {
    const { apiId } = await createApi(s, {
      name: 'tf-cors', protocolType: 'HTTP',
      corsConfiguration: { allowCredentials: false, allowHeaders: ['Authorization'], allowMethods: ['GET', 'put'], allowOrigins: ['https://www.example.com'], exposeHeaders: [], maxAge: 0 },
    });
    let cors = (await getApi(apiId)).corsConfiguration;
    assert.equal(cors.allowCredentials ?? false, false);
    assert.deepEqual(lower(cors.allowHeaders), ['authorization']);
    assert.deepEqual(lower(cors.allowMethods), ['get', 'put']);
    assert.deepEqual(lower(cors.allowOrigins), ['https://www.example.com']);
    assertEmpty(cors.exposeHeaders, 'exposeHeaders');
    assert.equal(cors.maxAge ?? 0, 0);

    ok(await call(s, 'PATCH', `/v2/apis/${apiId}`, {
      corsConfiguration: { allowCredentials: true, allowHeaders: [], allowMethods: ['*'], allowOrigins: ['HTTP://WWW.EXAMPLE.ORG', 'https://example.io'], exposeHeaders: ['X-Api-Id'], maxAge: 500 },
    }));
    cors = (await getApi(apiId)).corsConfiguration;
    assert.equal(cors.allowCredentials, true);
    assertEmpty(cors.allowHeaders, 'allowHeaders');
    assert.deepEqual(cors.allowMethods, ['*']);
    assert.deepEqual(lower(cors.allowOrigins), ['http://www.example.org', 'https://example.io']);
    assert.deepEqual(lower(cors.exposeHeaders), ['x-api-id']);
    assert.equal(cors.maxAge, 500);

    ok(await call(s, 'DELETE', `/v2/apis/${apiId}/cors`), 204);
    assert.equal((await getApi(apiId)).corsConfiguration, undefined);
  });

  // TestAccAPIGatewayV2API_quickCreate (testAccCheckAPIQuickCreateIntegration/Route/Stage): one HTTP_PROXY
  // integration, one route, one $default stage; resourceIntegrationImport/resourceRouteImport refuse them as
  // apiGatewayManaged (integration.go, route.go).
  it('CreateApi quick create makes one managed integration, route and $default stage', async () => {
    const { apiId } = await createApi(s, { name: 'tf-quick', protocolType: 'HTTP', target: 'http://www.example.com/', routeKey: 'GET /pets' });
    const integrations = ok(await call(s, 'GET', `/v2/apis/${apiId}/integrations`)).items;
    assert.equal(integrations.length, 1);
    assert.equal(integrations[0].integrationType, 'HTTP_PROXY');
    assert.equal(integrations[0].integrationUri, 'http://www.example.com/');
    assert.equal(integrations[0].apiGatewayManaged, true);
    const routes = ok(await call(s, 'GET', `/v2/apis/${apiId}/routes`)).items;
    assert.deepEqual(routes.map((r: any) => r.routeKey), ['GET /pets']);
    assert.equal(routes[0].apiGatewayManaged, true);
    const stages = ok(await call(s, 'GET', `/v2/apis/${apiId}/stages`)).items;
    assert.deepEqual(stages.map((st: any) => st.stageName), ['$default']);
    assert.equal(stages[0].apiGatewayManaged, true);
  });

  // TestAccAPIGatewayV2API_openAPI: create, ReimportApi(body), then UpdateApi{name, description, version} with
  // the configured values ("" when unset) -- reimportOpenAPIDefinition in api.go.
  it('ReimportApi, then UpdateApi restores name and clears description/version with ""', async () => {
    const { apiId } = await createApi(s, { name: 'tf-openapi', protocolType: 'HTTP' });
    ok(await call(s, 'PUT', `/v2/apis/${apiId}`, { body: openApi('tf-openapi_DIFFERENT', '/test') }), 201);
    ok(await call(s, 'PATCH', `/v2/apis/${apiId}`, { description: '', name: 'tf-openapi', version: '' }));
    const api = await getApi(apiId);
    assert.equal(api.name, 'tf-openapi');
    assertUnset(api.description, 'description');
    assertUnset(api.version, 'version');
    assert.deepEqual(await routeKeys(apiId), ['GET /test']);
  });

  // TestAccAPIGatewayV2API_openAPI step 3 (testAccAPIConfig_UpdatedOpenAPIYAML): a YAML body replaces the routes.
  it('ReimportApi with a YAML definition replaces the routes', async () => {
    const { apiId } = await createApi(s, { name: 'tf-openapi-yaml', protocolType: 'HTTP' });
    ok(await call(s, 'PUT', `/v2/apis/${apiId}`, { body: openApi('tf-openapi-yaml_DIFFERENT', '/test') }), 201);
    assert.deepEqual(await routeKeys(apiId), ['GET /test']);
    const yaml = [
      '---', 'openapi: 3.0.1', 'info:', '  title: tf-openapi_DIFFERENT', '  version: 2.0', 'paths:', '  "/update":', '    get:',
      '      x-amazon-apigateway-integration:', '        type: HTTP_PROXY', '        httpMethod: GET', '        payloadFormatVersion: 1.0', '        uri: https://www.google.de', '',
    ].join('\n');
    ok(await call(s, 'PUT', `/v2/apis/${apiId}`, { body: yaml }), 201);
    assert.deepEqual(await routeKeys(apiId), ['GET /update']);
  });

  // TestAccAPIGatewayV2API_OpenAPI_failOnWarnings: ExpectError `BadRequestException: Warnings found during import`
  // (the full text lists the warnings, so only its start is certain); without failOnWarnings the import succeeds.
  it('ReimportApi failOnWarnings=true refuses a definition with warnings', async () => {
    const { apiId } = await createApi(s, { name: 'tf-warnings', protocolType: 'HTTP' });
    const body = openApi('Title test', '/update', {
      responses: { 200: { description: 'Response description', content: { 'application/json': { schema: { $ref: '#/components/schemas/ModelThatDoesNotExist' } } } } },
    });
    refused(await call(s, 'PUT', `/v2/apis/${apiId}?failOnWarnings=true`, { body }), 400, 'BadRequestException', /^Warnings found during import/);
    ok(await call(s, 'PUT', `/v2/apis/${apiId}?failOnWarnings=false`, { body }), 201);
    assert.deepEqual(await routeKeys(apiId), ['GET /update']);
    ok(await call(s, 'PUT', `/v2/apis/${apiId}`, { body }), 201);
    assert.deepEqual(await routeKeys(apiId), ['GET /update']);
  });

  // TestAccAPIGatewayV2API_tags: tags at create; removing them is UntagResource on the API's ARN.
  it('CreateApi tags, then UntagResource', async () => {
    const { apiId } = await createApi(s, { name: 'tf-tags', protocolType: 'WEBSOCKET', routeSelectionExpression: '$request.body.action', tags: { Key1: 'Value1', Key2: 'Value2' } });
    assert.deepEqual((await getApi(apiId)).tags, { Key1: 'Value1', Key2: 'Value2' });
    const arn = `arn:aws:apigateway:${REGION}::/apis/${apiId}`;
    ok(await call(s, 'DELETE', `/v2/tags/${label(arn)}?tagKeys=Key1&tagKeys=Key2`), 204);
    assertEmpty((await getApi(apiId)).tags, 'tags');
  });

  // TestAccAPIGatewayV2API_disappears + resourceAPIDelete: a deleted API reads as NotFoundException, which the
  // provider takes as "gone" (read and delete both tolerate it).
  it('DeleteApi, then GetApi and DeleteApi answer NotFoundException', async () => {
    const { apiId } = await createApi(s, { name: 'tf-gone', protocolType: 'HTTP' });
    ok(await call(s, 'DELETE', `/v2/apis/${apiId}`), 204);
    const get = await call(s, 'GET', `/v2/apis/${apiId}`);
    assert.equal(get.status, 404);
    assert.equal(get.type, 'NotFoundException');
    const del = await call(s, 'DELETE', `/v2/apis/${apiId}`);
    assert.equal(del.status, 404);
    assert.equal(del.type, 'NotFoundException');
  });
});
