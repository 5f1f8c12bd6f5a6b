/**
 * Names every JavaScript object inherits (`constructor`, `toString`, `__proto__`, ...) used as ids,
 * map keys, header values and OpenAPI members: each is an ordinary string that names nothing until
 * it is set. Regression tests of what the management API fuzzer (test/fuzz/) found.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiCommand,
  CreateAuthorizerCommand,
  CreateRouteCommand,
  CreateStageCommand,
  DeleteRouteRequestParameterCommand,
  DeleteRouteSettingsCommand,
  ExportApiCommand,
  GetApisCommand,
  GetRouteCommand,
  GetRoutesCommand,
  GetStageCommand,
  ImportApiCommand,
} from '@aws-sdk/client-apigatewayv2';
import { rejectsAws } from '../../helpers/assert-aws.js';
import type { TestServer } from '../../helpers/server.js';
import { rawRequest, startServer } from '../../helpers/server.js';

const INHERITED = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__'];

describe('inherited property names in the management API', () => {
  let s: TestServer;
  let httpApi: string;
  let wsApi: string;
  let wsRoute: string;
  before(async () => {
    s = await startServer();
    httpApi = (await s.client.send(new CreateApiCommand({ Name: 'inherited', ProtocolType: 'HTTP' }))).ApiId as string;
    await s.client.send(new CreateRouteCommand({ ApiId: httpApi, RouteKey: 'GET /items' }));
    await s.client.send(new CreateStageCommand({ ApiId: httpApi, StageName: 'dev', RouteSettings: { 'GET /items': { ThrottlingBurstLimit: 5 } } }));
    wsApi = (await s.client.send(new CreateApiCommand({ Name: 'inherited-ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId as string;
    wsRoute = (await s.client.send(new CreateRouteCommand({ ApiId: wsApi, RouteKey: '$connect', RequestParameters: { 'route.request.header.x-a': { Required: false } } })))
      .RouteId as string;
  });
  after(() => s.close());

  it('an x-gatehouse-response-format header naming an inherited property is refused with a 400, not a crash', async () => {
    for (const name of INHERITED) {
      const res = await rawRequest(s.url, 'GET', '/v2/apis', { headers: { 'x-gatehouse-response-format': name } });
      assert.equal(res.status, 400, name);
      assert.equal(res.headers.get('x-amzn-errortype'), 'BadRequestException');
      assert.deepEqual(res.json, { message: `Invalid x-gatehouse-response-format header '${name}': must be aws or envelope` });
    }
    // the server is still up and answering
    assert.equal((await s.client.send(new GetApisCommand({}))).Items?.length, 2);
  });

  it('DeleteRouteSettings of an inherited name is the NotFoundException of any absent key, and changes nothing', async () => {
    for (const key of INHERITED) {
      await rejectsAws(
        s.client.send(new DeleteRouteSettingsCommand({ ApiId: httpApi, StageName: 'dev', RouteKey: key })),
        'NotFoundException',
        `Invalid RouteSettings identifier specified ${key}`,
        404,
      );
    }
    const stage = await s.client.send(new GetStageCommand({ ApiId: httpApi, StageName: 'dev' }));
    assert.deepEqual(stage.RouteSettings, { 'GET /items': { ThrottlingBurstLimit: 5 } });
  });

  it('DeleteRouteRequestParameter of an inherited name is a NotFoundException, and changes nothing', async () => {
    for (const key of INHERITED) {
      await rejectsAws(
        s.client.send(new DeleteRouteRequestParameterCommand({ ApiId: wsApi, RouteId: wsRoute, RequestParameterKey: key })),
        'NotFoundException',
        `Invalid RequestParameter identifier specified ${key}`,
        404,
      );
    }
    const route = await s.client.send(new GetRouteCommand({ ApiId: wsApi, RouteId: wsRoute }));
    assert.deepEqual(route.RequestParameters, { 'route.request.header.x-a': { Required: false } });
  });

  it('Get and Delete of a resource whose id is an inherited name answer 404 NotFoundException', async () => {
    for (const id of INHERITED) {
      const stage = await rawRequest(s.url, 'GET', `/v2/apis/${httpApi}/stages/${id}`);
      assert.equal(stage.status, 404, id);
      assert.equal(stage.headers.get('x-amzn-errortype'), 'NotFoundException');
      assert.deepEqual(stage.json, { message: 'Invalid stage identifier specified', resourceType: 'Stage' });
      const route = await rawRequest(s.url, 'DELETE', `/v2/apis/${httpApi}/routes/${id}`);
      assert.equal(route.status, 404, id);
      assert.deepEqual(route.json, { message: `Invalid Route identifier specified ${id}`, resourceType: 'Route' });
      const api = await rawRequest(s.url, 'GET', `/v2/apis/${id}`);
      assert.equal(api.status, 404, id);
      assert.deepEqual(api.json, { message: `Invalid API identifier specified 000000000000:${id}`, resourceType: 'Api' });
    }
  });

  it('stage variables and tags named like inherited properties are stored and read back as given', async () => {
    const body = '{"stageName":"vars","stageVariables":{"__proto__":"a","constructor":"b"},"tags":{"__proto__":"c","toString":"d"}}';
    const created = await rawRequest(s.url, 'POST', `/v2/apis/${httpApi}/stages`, { headers: { 'content-type': 'application/json' }, body });
    assert.equal(created.status, 201, created.text);
    const stage = await s.client.send(new GetStageCommand({ ApiId: httpApi, StageName: 'vars' }));
    assert.deepEqual(JSON.stringify(stage.StageVariables), '{"__proto__":"a","constructor":"b"}');
    assert.deepEqual(JSON.stringify(stage.Tags), '{"__proto__":"c","toString":"d"}');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('ExportApi names the security scheme of an authorizer called toString or __proto__ after it', async () => {
    const apiId = (await s.client.send(new CreateApiCommand({ Name: 'export', ProtocolType: 'HTTP' }))).ApiId as string;
    for (const [name, path] of [
      ['toString', '/a'],
      ['__proto__', '/b'],
    ] as const) {
      const authorizer = await s.client.send(
        new CreateAuthorizerCommand({
          ApiId: apiId,
          Name: name,
          AuthorizerType: 'JWT',
          IdentitySource: ['$request.header.Authorization'],
          JwtConfiguration: { Issuer: 'https://issuer.example.com', Audience: ['a'] },
        }),
      );
      await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: `GET ${path}`, AuthorizationType: 'JWT', AuthorizerId: authorizer.AuthorizerId }));
    }
    const exported = await s.client.send(new ExportApiCommand({ ApiId: apiId, Specification: 'OAS30', OutputType: 'JSON' }));
    const doc = JSON.parse(Buffer.from(exported.body as Uint8Array).toString('utf8')) as Record<string, any>;
    assert.deepEqual(Object.keys(doc.components.securitySchemes), ['toString', '__proto__']);
    assert.equal(Object.getPrototypeOf(doc.components.securitySchemes), Object.prototype);
    assert.equal(JSON.stringify(doc.paths['/a'].get.security), '[{"toString":[]}]');
    assert.equal(JSON.stringify(doc.paths['/b'].get.security), '[{"__proto__":[]}]');
  });

  describe('ImportApi with inherited names in the OpenAPI document', () => {
    const integration = { type: 'http_proxy', httpMethod: 'GET', uri: 'https://example.com/x', payloadFormatVersion: '1.0' };
    const docWithMethods = (methods: string) =>
      `{"openapi":"3.0.1","info":{"title":"inherited","version":"1"},"paths":{"/a":{${methods}}}}`;

    it('a path item member named constructor or __proto__ is no operation: only the real ones become routes', async () => {
      for (const key of ['constructor', '__proto__', 'toString']) {
        const body = docWithMethods(`"${key}":{"x-amazon-apigateway-integration":${JSON.stringify(integration)}},"get":{"x-amazon-apigateway-integration":${JSON.stringify(integration)}}`);
        const api = await s.client.send(new ImportApiCommand({ Body: body }));
        const routes = await s.client.send(new GetRoutesCommand({ ApiId: api.ApiId as string }));
        assert.deepEqual(
          routes.Items?.map((r) => r.RouteKey),
          ['GET /a'],
          key,
        );
      }
    });

    it('a $ref to an inherited member (#/__proto__, #/components/constructor) does not resolve', async () => {
      for (const ref of ['#/__proto__', '#/components/constructor', '#/paths/toString']) {
        const body = JSON.stringify({
          openapi: '3.0.1',
          info: { title: 'refs', version: '1' },
          components: {},
          paths: { '/a': { get: { 'x-amazon-apigateway-integration': { $ref: ref } } } },
        });
        await rejectsAws(
          s.client.send(new ImportApiCommand({ Body: body, FailOnWarnings: true })),
          'BadRequestException',
          `Warnings found during import:\n\tParse issue: attribute paths./a.get.x-amazon-apigateway-integration.$ref is missing: ${ref} does not resolve`,
          400,
        );
      }
    });

    it('a server URL variable named constructor that the document does not define is empty', async () => {
      const body = JSON.stringify({
        openapi: '3.0.1',
        info: { title: 'servers', version: '1' },
        servers: [{ url: 'https://example.com/{constructor}/v1' }],
        paths: { '/a': { get: { 'x-amazon-apigateway-integration': integration } } },
      });
      const api = await s.client.send(new ImportApiCommand({ Body: body, Basepath: 'prepend' }));
      const routes = await s.client.send(new GetRoutesCommand({ ApiId: api.ApiId as string }));
      assert.deepEqual(routes.Items?.map((r) => r.RouteKey), ['GET /v1/a']);
    });
  });
});
