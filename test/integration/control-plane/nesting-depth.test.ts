import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateApiCommand, CreateRouteCommand, GetApisCommand, GetRoutesCommand, ImportApiCommand } from '@aws-sdk/client-apigatewayv2';
import { membersOf, OPERATIONS } from '../../../src/model/service-model.js';
import { rejectsAws } from '../../helpers/assert-aws.js';
import type { TestServer } from '../../helpers/server.js';
import { rawRequest, startServer } from '../../helpers/server.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * The refusal of a body nested deeper than 1,000 levels. The prefix is API Gateway's wording for an
 * unparsable JSON body (https://github.com/serverless/serverless/issues/2270); the management API's own
 * text for this case is not public (src/control-plane/input.ts).
 */
const TOO_DEEP = 'Could not parse request body into json: Document nesting depth exceeds the maximum allowed (1000)';

/** `n` nested arrays. */
const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

/** `{"k":{"k":…{}…}}`, `n` objects deep (an ordinary-looking member, not brackets alone). */
const nestedObjects = (n: number) => `${'{"k":'.repeat(n - 1)}{}${'}'.repeat(n - 1)}`;

/** Operations whose input has members in the JSON body. */
const BODY_OPERATIONS = OPERATIONS.filter((o) => o.input && Object.values(membersOf(o.input)).some((m) => m.location === undefined));

describe('deeply nested request bodies', () => {
  let s: TestServer;
  let apiId: string;
  const counts = async () => ({
    apis: (await s.client.send(new GetApisCommand({}))).Items?.length ?? 0,
    routes: (await s.client.send(new GetRoutesCommand({ ApiId: apiId }))).Items?.length ?? 0,
  });

  before(async () => {
    s = await startServer();
    apiId = (await s.client.send(new CreateApiCommand({ Name: 'depth', ProtocolType: 'HTTP' }))).ApiId as string;
  });
  after(() => s.close());

  it('every operation with a JSON body (29) answers a 5,000-deep body with 400 BadRequestException and writes nothing', async () => {
    assert.equal(BODY_OPERATIONS.length, 29);
    const before = await counts();
    for (const op of BODY_OPERATIONS) {
      // Labels name resources that need not exist: the body is refused before anything is looked up.
      const path = op.uri.replace('{ApiId}', apiId).replace(/\{[^}]+\}/g, 'abc');
      for (const body of [`{"name":"x","deep":${nested(5000)}}`, nestedObjects(5000)]) {
        const res = await rawRequest(s.url, op.method, path, { headers: JSON_HEADERS, body });
        assert.equal(res.status, 400, `${op.name}: ${res.text.slice(0, 200)}`);
        assert.equal(res.headers.get('x-amzn-errortype'), 'BadRequestException', op.name);
        assert.deepEqual(res.json, { message: TOO_DEEP }, op.name);
      }
    }
    assert.deepEqual(await counts(), before);
  });

  it('CreateApi, CreateRoute and ImportApi refuse deep bodies in typed members too (they used to answer 500)', async () => {
    const before = await counts();
    const deep = nested(5000);
    const cases: [string, string, string][] = [
      ['POST', '/v2/apis', `{"name":"x","protocolType":"HTTP","tags":{"a":${deep}}}`],
      ['POST', `/v2/apis/${apiId}/routes`, `{"routeKey":"GET /deep","requestParameters":${deep}}`],
      ['PUT', '/v2/apis', `{"body":${deep}}`],
      ['PUT', `/v2/apis/${apiId}`, `{"body":${deep}}`],
    ];
    for (const [method, path, body] of cases) {
      const res = await rawRequest(s.url, method, path, { headers: JSON_HEADERS, body });
      assert.equal(res.status, 400, `${method} ${path}: ${res.text.slice(0, 200)}`);
      assert.deepEqual(res.json, { message: TOO_DEEP });
    }
    assert.deepEqual(await counts(), before);
  });

  it('ImportApi refuses a definition nested more than 1,000 levels deep, JSON or YAML, and writes nothing', async () => {
    const before = await counts();
    const message = 'Invalid OpenAPI definition: the document is nested more than 1000 levels deep';
    const info = '"openapi":"3.0.1","info":{"title":"deep","version":"1"}';
    const json = `{${info},"paths":{"/a":{"get":{"x-amazon-apigateway-integration":{"type":"HTTP_PROXY","uri":"https://example.com","payloadFormatVersion":"1.0","requestParameters":${nested(5000)}}}}}}`;
    await rejectsAws(s.client.send(new ImportApiCommand({ Body: json })), 'BadRequestException', message, 400);
    await rejectsAws(s.client.send(new ImportApiCommand({ Body: `{${info},"paths":{},"x-deep":${nested(50_000)}}` })), 'BadRequestException', message, 400);
    // YAML, in flow and in block style: the YAML parser recurses, and its own overflow is reported the same way.
    const yamlFlow = `openapi: 3.0.1\ninfo: {title: deep, version: "1"}\npaths: {}\nx-deep: ${nested(5000)}\n`;
    await rejectsAws(s.client.send(new ImportApiCommand({ Body: yamlFlow })), 'BadRequestException', message, 400);
    const yamlBlock = `openapi: 3.0.1\ninfo: {title: deep, version: "1"}\npaths: {}\nx-deep:\n${Array.from({ length: 1100 }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')} 1\n`;
    await rejectsAws(s.client.send(new ImportApiCommand({ Body: yamlBlock })), 'BadRequestException', message, 400);
    assert.deepEqual(await counts(), before);
  });

  it('legitimately nested JSON still works: 30 levels, and the 1,000-level boundary', async () => {
    // Members AWS does not know are ignored, however nested.
    const res = await rawRequest(s.url, 'POST', `/v2/apis/${apiId}/routes`, { headers: JSON_HEADERS, body: `{"routeKey":"GET /thirty","note":${nestedObjects(30)}}` });
    assert.equal(res.status, 201, res.text);
    const boundary = await rawRequest(s.url, 'POST', `/v2/apis/${apiId}/routes`, { headers: JSON_HEADERS, body: `{"routeKey":"GET /boundary","note":${nested(999)}}` });
    assert.equal(boundary.status, 201, boundary.text.slice(0, 200));
    const over = await rawRequest(s.url, 'POST', `/v2/apis/${apiId}/routes`, { headers: JSON_HEADERS, body: `{"routeKey":"GET /over","note":${nested(1000)}}` });
    assert.deepEqual([over.status, over.json], [400, { message: TOO_DEEP }]);
    // A typed member 1,000 levels deep is a validation error, not a crash.
    const typed = await rawRequest(s.url, 'POST', `/v2/apis/${apiId}/routes`, { headers: JSON_HEADERS, body: `{"routeKey":"GET /typed","requestParameters":${nested(999)}}` });
    assert.equal(typed.status, 400);
    assert.match((typed.json as { message: string }).message, /^1 validation error detected: Value '\[\[\[/);
    // Brackets inside strings are not nesting.
    const route = await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /strings', OperationName: '['.repeat(60) }));
    assert.equal(route.OperationName, '['.repeat(60));
    // An imported definition 30 levels deep (in an extension) imports.
    const imported = await s.client.send(
      new ImportApiCommand({ Body: JSON.stringify({ openapi: '3.0.1', info: { title: 'thirty', version: '1' }, paths: {}, 'x-note': JSON.parse(nestedObjects(30)) as unknown }) }),
    );
    assert.equal(imported.Name, 'thirty');
  });
});
