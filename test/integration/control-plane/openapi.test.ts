import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import {
  CreateApiCommand,
  CreateDeploymentCommand,
  CreateRouteCommand,
  CreateStageCommand,
  ExportApiCommand,
  GetApiCommand,
  GetApisCommand,
  GetAuthorizersCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetStageCommand,
  ImportApiCommand,
  ReimportApiCommand,
} from '@aws-sdk/client-apigatewayv2';
import { parse as parseYaml } from 'yaml';
import { rejectsAws } from '../../helpers/assert-aws.js';
import type { TestServer } from '../../helpers/server.js';
import { rawRequest, startServer } from '../../helpers/server.js';

/** Fixtures live in the source tree (tests run from dist/). */
const fixture = (name: string) => readFileSync(new URL(`../../../../test/fixtures/openapi/${name}`, import.meta.url), 'utf8');
const PETSTORE = fixture('petstore.json');
const PROXY = fixture('proxy.json');
const INVENTORY = fixture('inventory.yaml');

const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:pets';
const minimal = (paths: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ openapi: '3.0.1', info: { title: 'minimal', version: '1' }, paths, ...extra });
const lambda = { type: 'aws_proxy', uri: LAMBDA, payloadFormatVersion: '2.0' };

const without = <T extends object>(o: T, ...keys: string[]) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k) && k !== '$metadata')) as Partial<T>;
const byKey = <T>(key: (t: T) => string) => (a: T, b: T) => key(a).localeCompare(key(b));

/** An API's routes (with their integration and authorizer inlined), integrations, authorizers and CORS, free of generated ids. */
async function describeApi(client: ApiGatewayV2Client, apiId: string) {
  const api = await client.send(new GetApiCommand({ ApiId: apiId }));
  const integrations = (await client.send(new GetIntegrationsCommand({ ApiId: apiId }))).Items ?? [];
  const authorizers = (await client.send(new GetAuthorizersCommand({ ApiId: apiId }))).Items ?? [];
  const routes = (await client.send(new GetRoutesCommand({ ApiId: apiId }))).Items ?? [];
  const integration = (id: string | undefined) => {
    const found = integrations.find((i) => `integrations/${i.IntegrationId}` === id);
    return found && without(found, 'IntegrationId');
  };
  const authorizer = (id: string | undefined) => {
    const found = authorizers.find((a) => a.AuthorizerId === id);
    return found && without(found, 'AuthorizerId');
  };
  return {
    cors: api.CorsConfiguration,
    routes: routes
      .map((r) => ({ ...without(r, 'RouteId', 'Target', 'AuthorizerId'), integration: integration(r.Target), authorizer: authorizer(r.AuthorizerId) }))
      .sort(byKey((r) => r.RouteKey as string)),
    integrations: integrations.map((i) => without(i, 'IntegrationId')).sort(byKey((i) => JSON.stringify(i))),
    authorizers: authorizers.map((a) => without(a, 'AuthorizerId')).sort(byKey((a) => a.Name as string)),
  };
}

/** The value at a path of keys in a parsed document. */
const at = (value: unknown, ...path: (string | number)[]): unknown => path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], value);

const text = (body: Uint8Array | undefined) => Buffer.from(body ?? new Uint8Array()).toString('utf8');

describe('ImportApi, ReimportApi, ExportApi', () => {
  let s: TestServer;
  const importApi = async (body: string, extra: { Basepath?: string; FailOnWarnings?: boolean } = {}) =>
    s.client.send(new ImportApiCommand({ Body: body, ...extra }));
  const exportJson = async (apiId: string, extra: { StageName?: string; IncludeExtensions?: boolean } = {}) =>
    text((await s.client.send(new ExportApiCommand({ ApiId: apiId, Specification: 'OAS30', OutputType: 'JSON', ...extra }))).body);
  const apiCount = async () => ((await s.client.send(new GetApisCommand({}))).Items ?? []).length;

  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  it('ImportApi petstore: Lambda and HTTP proxy integrations, JWT authorizer with scopes, CORS', async () => {
    const api = await importApi(PETSTORE);
    assert.match(api.ApiId ?? '', /^[a-z0-9]{10}$/);
    assert.equal(api.Name, 'Petstore');
    assert.equal(api.Version, '2024-06-01');
    assert.equal(api.Description, 'Pets on Lambda, the legacy catalogue behind an HTTP proxy');
    assert.equal(api.ProtocolType, 'HTTP');
    assert.equal(api.RouteSelectionExpression, '$request.method $request.path');
    assert.equal(api.Warnings, undefined);
    assert.deepEqual(api.CorsConfiguration, {
      AllowOrigins: ['https://petstore.example.com', 'https://admin.petstore.example.com'], AllowCredentials: true,
      AllowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'], AllowHeaders: ['authorization', 'content-type'], ExposeHeaders: ['x-request-id'], MaxAge: 600,
    });
    const d = await describeApi(s.client, api.ApiId as string);
    assert.deepEqual(d.routes.map((r) => [r.RouteKey, r.AuthorizationType, r.AuthorizationScopes, r.OperationName]), [
      ['DELETE /pets/{petId}', 'JWT', ['pets/admin'], undefined],
      ['GET /catalogue/{sku}', 'NONE', undefined, undefined],
      ['GET /health', 'NONE', undefined, undefined],
      ['GET /pets', 'JWT', ['pets/read'], 'listPets'],
      ['GET /pets/{petId}', 'JWT', undefined, 'getPet'],
      ['POST /pets', 'JWT', ['pets/write', 'pets/read'], 'createPet'],
    ]);
    assert.deepEqual(d.authorizers, [
      {
        Name: 'petstore-jwt', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: { Issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Petstore', Audience: ['petstore-web', 'petstore-mobile'] },
      },
    ]);
    const route = (key: string) => d.routes.find((r) => r.RouteKey === key);
    assert.equal(route('GET /pets')?.authorizer?.Name, 'petstore-jwt');
    assert.deepEqual(route('GET /pets')?.integration, {
      IntegrationType: 'AWS_PROXY', IntegrationMethod: 'POST', PayloadFormatVersion: '2.0', TimeoutInMillis: 10000, ConnectionType: 'INTERNET',
      IntegrationUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets/invocations',
    });
    assert.deepEqual(route('DELETE /pets/{petId}')?.integration, {
      IntegrationType: 'AWS_PROXY', IntegrationMethod: 'POST', PayloadFormatVersion: '2.0', TimeoutInMillis: 30000, ConnectionType: 'INTERNET',
      IntegrationUri: 'arn:aws:lambda:us-east-1:123456789012:function:pets-admin', CredentialsArn: 'arn:aws:iam::123456789012:role/apigateway-invoke',
    });
    assert.deepEqual(route('GET /catalogue/{sku}')?.integration, {
      IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'GET', PayloadFormatVersion: '1.0', TimeoutInMillis: 12000, ConnectionType: 'INTERNET',
      IntegrationUri: 'https://legacy.petstore.example.com/catalogue/{sku}',
      RequestParameters: { 'append:header.x-source': 'gatehouse', 'overwrite:querystring.sku': '$request.path.sku' },
      ResponseParameters: { 200: { 'overwrite:header.Cache-Control': 'public, max-age=60' }, 404: { 'overwrite:statuscode': '410' } },
    });
    assert.equal(route('GET /health')?.integration?.PayloadFormatVersion, '1.0', 'an unquoted 1.0 is the string 1.0');
    assert.equal(d.integrations.length, 6, 'one integration per operation');
  });

  it('ImportApi proxy: greedy path, ANY, $default, cached REQUEST authorizer, IAM, a shared $ref integration', async () => {
    const api = await importApi(PROXY);
    assert.equal(api.Warnings, undefined);
    const d = await describeApi(s.client, api.ApiId as string);
    assert.deepEqual(d.routes.map((r) => [r.RouteKey, r.AuthorizationType, r.authorizer?.Name]), [
      ['$default', 'NONE', undefined],
      ['ANY /api/{proxy+}', 'CUSTOM', 'storefront-lambda'],
      ['GET /internal/metrics', 'AWS_IAM', undefined],
      ['GET /orders/{orderId}/items/{itemId}', 'CUSTOM', 'storefront-lambda'],
      ['OPTIONS /api/{proxy+}', 'NONE', undefined],
      ['POST /events', 'NONE', undefined],
    ]);
    assert.deepEqual(d.authorizers, [
      {
        Name: 'storefront-lambda', AuthorizerType: 'REQUEST', IdentitySource: ['$request.header.Authorization', '$request.querystring.store'],
        AuthorizerUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:storefront-auth/invocations',
        AuthorizerCredentialsArn: 'arn:aws:iam::123456789012:role/storefront-auth-invoke', AuthorizerPayloadFormatVersion: '2.0',
        AuthorizerResultTtlInSeconds: 300, EnableSimpleResponses: true,
      },
    ]);
    const routes = (await s.client.send(new GetRoutesCommand({ ApiId: api.ApiId }))).Items ?? [];
    const target = (key: string) => routes.find((r) => r.RouteKey === key)?.Target;
    assert.equal(target('ANY /api/{proxy+}'), target('OPTIONS /api/{proxy+}'), 'routes that $ref one integration share it');
    assert.equal(d.integrations.length, 5);
    const orders = d.routes.find((r) => r.RouteKey === 'GET /orders/{orderId}/items/{itemId}')?.integration;
    assert.deepEqual(orders?.TlsConfig, { ServerNameToVerify: 'orders.internal.example.com' });
    assert.equal(orders?.ConnectionType, 'VPC_LINK');
    const events = d.routes.find((r) => r.RouteKey === 'POST /events')?.integration;
    assert.equal(events?.IntegrationSubtype, 'EventBridge-PutEvents');
  });

  for (const [basepath, keys] of [
    [undefined, ['GET /', 'GET /items', 'POST /items', 'PUT /items/{itemId}']],
    ['ignore', ['GET /', 'GET /items', 'POST /items', 'PUT /items/{itemId}']],
    ['prepend', ['GET /v1/inventory', 'GET /v1/inventory/items', 'POST /v1/inventory/items', 'PUT /v1/inventory/items/{itemId}']],
    ['split', ['GET /inventory', 'GET /inventory/items', 'POST /inventory/items', 'PUT /inventory/items/{itemId}']],
  ] as [string | undefined, string[]][]) {
    it(`ImportApi YAML with a servers basePath, basepath=${basepath ?? '(default)'}`, async () => {
      const api = await importApi(INVENTORY, basepath === undefined ? {} : { Basepath: basepath });
      assert.equal(api.Name, 'Inventory');
      assert.equal(api.Version, '1.0');
      assert.deepEqual(api.CorsConfiguration, { AllowOrigins: ['*'], AllowMethods: ['GET', 'PUT', 'POST'], MaxAge: 300 });
      const d = await describeApi(s.client, api.ApiId as string);
      assert.deepEqual(d.routes.map((r) => r.RouteKey), keys);
      const put = d.routes.find((r) => r.RouteKey?.startsWith('PUT'))?.integration;
      assert.deepEqual(put?.ResponseParameters, { 500: { 'overwrite:statuscode': '502' } });
    });
  }

  for (const [name, body] of [['petstore.json', PETSTORE], ['proxy.json', PROXY], ['inventory.yaml', INVENTORY]]) {
    it(`ExportApi round trip preserves routes, integrations, authorizers and CORS (${name})`, async () => {
      const first = await importApi(body as string);
      const exported = await exportJson(first.ApiId as string);
      const second = await importApi(exported, { FailOnWarnings: true });
      assert.notEqual(second.ApiId, first.ApiId);
      assert.equal(second.Name, first.Name);
      assert.equal(second.Version, first.Version);
      assert.equal(second.Description, first.Description);
      assert.deepEqual(await describeApi(s.client, second.ApiId as string), await describeApi(s.client, first.ApiId as string));
      assert.equal(await exportJson(second.ApiId as string), exported.replaceAll(first.ApiId as string, second.ApiId as string), 'a second export is identical');
    });
  }

  it('ExportApi JSON has the AWS shape: servers with the API endpoint, path parameters, importexport version', async () => {
    const api = await importApi(PROXY);
    const doc: unknown = JSON.parse(await exportJson(api.ApiId as string));
    assert.equal(at(doc, 'openapi'), '3.0.1');
    assert.deepEqual(at(doc, 'info'), { title: 'Storefront proxy', version: '3.2.0' });
    assert.deepEqual(at(doc, 'servers'), [{ url: `${api.ApiEndpoint}/{basePath}`, variables: { basePath: { default: '' } } }]);
    assert.equal(at(doc, 'x-amazon-apigateway-importexport-version'), '1.0');
    assert.deepEqual((at(doc, 'paths', '/orders/{orderId}/items/{itemId}', 'parameters') as { name: string }[]).map((p) => p.name), ['orderId', 'itemId']);
    assert.equal(at(doc, 'paths', '/$default', 'x-amazon-apigateway-any-method', 'isDefaultRoute'), true);
    assert.deepEqual(at(doc, 'paths', '/api/{proxy+}', 'x-amazon-apigateway-any-method', 'security'), [{ 'storefront-lambda': [] }]);
    assert.deepEqual(at(doc, 'paths', '/api/{proxy+}', 'options', 'x-amazon-apigateway-integration'), { $ref: '#/components/x-amazon-apigateway-integrations/integration1' });
    assert.equal(at(doc, 'components', 'securitySchemes', 'storefront-lambda', 'x-amazon-apigateway-authorizer', 'authorizerResultTtlInSeconds'), 300);
  });

  it('ExportApi YAML output parses to the JSON export', async () => {
    const api = await importApi(PETSTORE);
    const yaml = text((await s.client.send(new ExportApiCommand({ ApiId: api.ApiId, Specification: 'OAS30', OutputType: 'YAML' }))).body);
    assert.match(yaml, /^openapi: 3\.0\.1\n/);
    assert.deepEqual(parseYaml(yaml), JSON.parse(await exportJson(api.ApiId as string)));
    const raw = await rawRequest(s.url, 'GET', `/v2/apis/${api.ApiId}/exports/OAS30?outputType=YAML`);
    assert.equal(raw.status, 200);
    assert.equal(raw.headers.get('content-type'), 'application/yaml');
    assert.equal(raw.text, yaml);
  });

  it('ExportApi includeExtensions=false leaves the API Gateway extensions out', async () => {
    const api = await importApi(PETSTORE);
    const plain = await exportJson(api.ApiId as string, { IncludeExtensions: false });
    assert.doesNotMatch(plain, /x-amazon-apigateway-(integration|authorizer|cors|importexport-version)/);
    assert.deepEqual(at(JSON.parse(plain), 'paths', '/pets', 'get', 'security'), [{ 'petstore-jwt': ['pets/read'] }]);
  });

  it('ExportApi with stageName exports the deployment the stage points at', async () => {
    const api = await importApi(PETSTORE);
    const apiId = api.ApiId as string;
    await s.client.send(new CreateStageCommand({ ApiId: apiId, StageName: 'prod' }));
    await s.client.send(new CreateDeploymentCommand({ ApiId: apiId, StageName: 'prod' }));
    await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /after-deployment' }));
    const staged: unknown = JSON.parse(await exportJson(apiId, { StageName: 'prod' }));
    assert.deepEqual(at(staged, 'servers', 0, 'variables'), { basePath: { default: 'prod' } });
    assert.equal(at(staged, 'paths', '/after-deployment'), undefined);
    assert.notEqual(at(staged, 'paths', '/pets'), undefined);
    assert.notEqual(at(JSON.parse(await exportJson(apiId)), 'paths', '/after-deployment'), undefined);
  });

  it('ExportApi with an unknown stage or a stage without a deployment', async () => {
    const api = await importApi(PETSTORE);
    await rejectsAws(exportJson(api.ApiId as string, { StageName: 'nope' }), 'NotFoundException', 'Invalid stage identifier specified', 404);
    await s.client.send(new CreateStageCommand({ ApiId: api.ApiId, StageName: 'empty' }));
    await rejectsAws(exportJson(api.ApiId as string, { StageName: 'empty' }), 'BadRequestException', /^Stage empty has no deployment to export/, 400);
  });

  it('ExportApi validates specification, outputType and exportVersion', async () => {
    const api = await importApi(PETSTORE);
    const send = (input: Record<string, string>) => s.client.send(new ExportApiCommand({ ApiId: api.ApiId, Specification: 'OAS30', OutputType: 'JSON', ...input }));
    await rejectsAws(send({ Specification: 'SWAGGER' }), 'BadRequestException', 'Invalid specification SWAGGER: the only supported specification is OAS30', 400);
    await rejectsAws(send({ OutputType: 'XML' }), 'BadRequestException', 'Invalid outputType XML: must be JSON or YAML', 400);
    await rejectsAws(send({ ExportVersion: '2.0' }), 'BadRequestException', 'Invalid exportVersion 2.0: the only export version is 1.0', 400);
    await rejectsAws(send({ ApiId: 'nope' }), 'NotFoundException', 'Invalid API identifier specified 000000000000:nope', 404);
  });

  it('ExportApi and ReimportApi on a WebSocket API', async () => {
    const ws = await s.client.send(new CreateApiCommand({ Name: 'ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }));
    await rejectsAws(exportJson(ws.ApiId as string), 'BadRequestException', `ExportApi is supported only for HTTP APIs; ${ws.ApiId} is a WebSocket API`, 400);
    await rejectsAws(
      s.client.send(new ReimportApiCommand({ ApiId: ws.ApiId, Body: PETSTORE })),
      'BadRequestException',
      `ReimportApi is supported only for HTTP APIs; ${ws.ApiId} is a WebSocket API`,
      400,
    );
  });

  it('ReimportApi replaces routes, integrations, authorizers and CORS and keeps the API id and its stages', async () => {
    const api = await importApi(PETSTORE);
    const apiId = api.ApiId as string;
    await s.client.send(new CreateStageCommand({ ApiId: apiId, StageName: 'dev' }));
    const reimported = await s.client.send(new ReimportApiCommand({ ApiId: apiId, Body: PROXY }));
    assert.equal(reimported.ApiId, apiId);
    assert.equal(reimported.Name, 'Storefront proxy');
    assert.equal(reimported.Version, '3.2.0');
    assert.equal(reimported.Description, undefined);
    assert.equal(reimported.CorsConfiguration, undefined);
    assert.equal(reimported.CreatedDate?.toISOString(), api.CreatedDate?.toISOString());
    const fresh = await importApi(PROXY);
    assert.deepEqual(await describeApi(s.client, apiId), await describeApi(s.client, fresh.ApiId as string));
    assert.equal((await s.client.send(new GetStageCommand({ ApiId: apiId, StageName: 'dev' }))).StageName, 'dev');
    assert.equal((await s.client.send(new GetApiCommand({ ApiId: apiId }))).Name, 'Storefront proxy');
  });

  it('ReimportApi that fails validation changes nothing', async () => {
    const api = await importApi(PETSTORE);
    const before = await describeApi(s.client, api.ApiId as string);
    const broken = minimal({ '/a': { get: { 'x-amazon-apigateway-integration': { ...lambda, uri: 'not-an-arn' } } } });
    await rejectsAws(s.client.send(new ReimportApiCommand({ ApiId: api.ApiId, Body: broken })), 'BadRequestException', /^Integration of route GET \/a: Invalid integrationUri not-an-arn/, 400);
    assert.deepEqual(await describeApi(s.client, api.ApiId as string), before);
    await rejectsAws(s.client.send(new ReimportApiCommand({ ApiId: 'nope', Body: PETSTORE })), 'NotFoundException', 'Invalid API identifier specified 000000000000:nope', 404);
  });

  const WARNED = minimal(
    {
      '/rest': { get: { 'x-amazon-apigateway-integration': { type: 'mock' } } },
      '/basic': { get: { security: [{ basic: [] }], 'x-amazon-apigateway-integration': lambda } },
      '/ok': { get: { 'x-amazon-apigateway-integration': lambda } },
    },
    { components: { securitySchemes: { basic: { type: 'http', scheme: 'basic' } } }, 'x-amazon-apigateway-policy': {} },
  );

  it('ImportApi returns warnings on the Api and imports what it can', async () => {
    const api = await importApi(WARNED);
    assert.deepEqual(api.Warnings, [
      'x-amazon-apigateway-policy was ignored: it is supported only for REST APIs',
      'Integration of route GET /rest was ignored: integration type MOCK is not supported for HTTP APIs (use aws_proxy or http_proxy); the route has no integration',
      'Security scheme basic was ignored (a http scheme without x-amazon-apigateway-authorizer is not an API Gateway authorizer); these routes were imported without authorization: GET /basic',
    ]);
    const d = await describeApi(s.client, api.ApiId as string);
    assert.deepEqual(d.routes.map((r) => [r.RouteKey, r.AuthorizationType, r.integration?.IntegrationType]), [
      ['GET /basic', 'NONE', 'AWS_PROXY'],
      ['GET /ok', 'NONE', 'AWS_PROXY'],
      ['GET /rest', 'NONE', undefined],
    ]);
  });

  it('ImportApi failOnWarnings rolls the import back with the warnings', async () => {
    const count = await apiCount();
    await rejectsAws(
      importApi(WARNED, { FailOnWarnings: true }),
      'BadRequestException',
      // AWS's text, then one tab-indented warning per line (terraform-provider-aws api_test.go OpenAPI_failOnWarnings).
      /^Warnings found during import:\n\tx-amazon-apigateway-policy was ignored[^\n]*\n\t[^\n]+\n\t[^\n]+$/,
      400,
    );
    assert.equal(await apiCount(), count);
    assert.equal((await importApi(PETSTORE, { FailOnWarnings: true })).Warnings, undefined);
  });

  it('ImportApi malformed documents are a 400 naming the problem, and create nothing', async () => {
    const count = await apiCount();
    const cases: [string, string | RegExp][] = [
      ['{"openapi": "3.0.1", ', /^Invalid OpenAPI definition: not valid JSON: /],
      ['openapi: 3.0.1\ninfo: [unclosed\n', /^Invalid OpenAPI definition: not valid YAML: /],
      ['"just a string"', 'Invalid OpenAPI definition: the document must be a JSON or YAML object'],
      [JSON.stringify({ info: { title: 't' }, paths: {} }), 'Invalid OpenAPI definition: the document declares neither openapi (3.0.x) nor swagger (2.0)'],
      [JSON.stringify({ openapi: '3.0.1', info: { version: '1' }, paths: {} }), 'Invalid OpenAPI definition: info.title is required: it becomes the API name'],
      [JSON.stringify({ openapi: '3.0.1', info: { title: 't' } }), 'Invalid OpenAPI definition: paths must be an object'],
      [minimal({ '/a': { get: { security: [{ ghost: [] }] } } }), 'Invalid OpenAPI definition: route GET /a requires security scheme ghost, which is not defined'],
      [minimal({ 'no-slash': { get: {} } }), /^Route GET no-slash: Invalid route key GET no-slash: /],
      [minimal({}, { info: { title: 'x'.repeat(129), version: '1' } }), /^Invalid API definition: 1 validation error detected: Value '.*' at 'name' failed to satisfy constraint: Member must have length less than or equal to 128$/],
      [minimal({}, { 'x-amazon-apigateway-cors': { allowOrigins: ['*'], allowCredentials: true } }), "Invalid API definition: allow-credentials is not supported if 'allow-origin' is *"],
      [minimal({ '/a': { get: { 'x-amazon-apigateway-integration': { ...lambda, timeoutInMillis: 60000 } } } }), /^Integration of route GET \/a: 1 validation error detected: Value '60000' at 'timeoutInMillis'/],
      [minimal({ '/a': { get: { 'x-amazon-apigateway-integration': { ...lambda, httpMethod: 'GET' } } } }), 'Integration of route GET /a: Lambda integrations must use integrationMethod POST, not GET'],
      [
        minimal({}, { components: { securitySchemes: { jwt: { type: 'oauth2', 'x-amazon-apigateway-authorizer': { type: 'jwt', identitySource: '$request.header.Authorization', jwtConfiguration: { issuer: 'https://i.example.com' } } } } } }),
        'Authorizer jwt: jwtConfiguration.audience must list at least one audience',
      ],
      [
        minimal(
          { '/a': { get: { security: [{ lambda: ['read'] }] } } },
          { components: { securitySchemes: { lambda: { type: 'apiKey', 'x-amazon-apigateway-authorizer': { type: 'request', authorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${LAMBDA}/invocations`, authorizerPayloadFormatVersion: '2.0' } } } } },
        ),
        'Route GET /a: authorizationScopes are supported only for routes with authorization type JWT',
      ],
    ];
    for (const [body, message] of cases) await rejectsAws(importApi(body), 'BadRequestException', message, 400);
    await rejectsAws(importApi(PETSTORE, { Basepath: 'strip' }), 'BadRequestException', 'Invalid basepath strip: must be one of ignore, prepend, split', 400);
    assert.equal(await apiCount(), count, 'no failed import leaves an API behind');
  });

  it('ImportApi duplicate route keys are a 409 and create nothing', async () => {
    const count = await apiCount();
    const body = minimal({
      '/$default': { 'x-amazon-apigateway-any-method': {} },
      '/other': { 'x-amazon-apigateway-any-method': { isDefaultRoute: true } },
    });
    await rejectsAws(importApi(body), 'ConflictException', 'Route with key $default already exists for this API', 409);
    assert.equal(await apiCount(), count);
  });
});
