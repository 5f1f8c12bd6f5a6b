import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../../helpers/server.js';
import { rawRequest, startServer } from '../../helpers/server.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

describe('malformed input', () => {
  let s: TestServer;
  let apiId: string;
  before(async () => {
    s = await startServer();
    const res = await rawRequest(s.url, 'POST', '/v2/apis', { headers: JSON_HEADERS, body: '{"name":"m","protocolType":"HTTP"}' });
    apiId = (res.json as { apiId: string }).apiId;
  });
  after(() => s.close());

  const cases: [string, string, string, string | RegExp][] = [
    ['malformed JSON', '/routes', '{"routeKey": "GET /a",', /^Could not parse request body into json: /],
    ['a JSON array body', '/routes', '["GET /a"]', 'Could not parse request body into json: the body must be a JSON object'],
    ['a JSON string body', '/routes', '"GET /a"', 'Could not parse request body into json: the body must be a JSON object'],
    ['a number where a string belongs', '/routes', '{"routeKey": 5}', "1 validation error detected: Value '5' at 'routeKey' failed to satisfy constraint: Member must be a string"],
    ['a string where a boolean belongs', '/routes', '{"routeKey": "GET /b", "apiKeyRequired": "yes"}', "1 validation error detected: Value 'yes' at 'apiKeyRequired' failed to satisfy constraint: Member must be a boolean"],
    ['an object where a list belongs', '/routes', '{"routeKey": "GET /c", "authorizationScopes": {"a": 1}}', /at 'authorizationScopes' failed to satisfy constraint: Member must be a list$/],
    ['a wrong list member', '/routes', '{"routeKey": "GET /d", "authorizationScopes": ["ok", 7]}', "1 validation error detected: Value '7' at 'authorizationScopes.2.member' failed to satisfy constraint: Member must be a string"],
    ['a fractional integer', '/integrations', '{"integrationType": "HTTP_PROXY", "timeoutInMillis": 100.5}', "1 validation error detected: Value '100.5' at 'timeoutInMillis' failed to satisfy constraint: Member must be an integer"],
    ['an unknown enum value', '/integrations', '{"integrationType": "SOAP"}', "1 validation error detected: Value 'SOAP' at 'integrationType' failed to satisfy constraint: Member must satisfy enum value set: [AWS, HTTP, MOCK, HTTP_PROXY, AWS_PROXY]"],
    ['an over-long string', '/integrations', JSON.stringify({ integrationType: 'HTTP_PROXY', description: 'd'.repeat(1025) }), /at 'description' failed to satisfy constraint: Member must have length less than or equal to 1024$/],
    ['a wrong nested member', '/integrations', '{"integrationType": "HTTP_PROXY", "tlsConfig": {"serverNameToVerify": 1}}', "1 validation error detected: Value '1' at 'tlsConfig.serverNameToVerify' failed to satisfy constraint: Member must be a string"],
  ];
  for (const [what, path, body, message] of cases) {
    it(`${what} is a 400 BadRequestException naming the field, and writes nothing`, async () => {
      const before = (await s.gatehouse.store.listAll('route', apiId)).length + (await s.gatehouse.store.listAll('integration', apiId)).length;
      const res = await rawRequest(s.url, 'POST', `/v2/apis/${apiId}${path}`, { headers: JSON_HEADERS, body });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('x-amzn-errortype'), 'BadRequestException');
      const text = (res.json as { message: string }).message;
      if (typeof message === 'string') assert.equal(text, message);
      else assert.match(text, message);
      const afterCount = (await s.gatehouse.store.listAll('route', apiId)).length + (await s.gatehouse.store.listAll('integration', apiId)).length;
      assert.equal(afterCount, before);
    });
  }

  it('several violations are reported together', async () => {
    const res = await rawRequest(s.url, 'POST', '/v2/apis', { headers: JSON_HEADERS, body: '{"protocolType":"SOAP","disableExecuteApiEndpoint":"no"}' });
    assert.equal(res.status, 400);
    assert.equal(
      (res.json as { message: string }).message,
      "3 validation errors detected: Value 'no' at 'disableExecuteApiEndpoint' failed to satisfy constraint: Member must be a boolean; " +
        "Value null at 'name' failed to satisfy constraint: Member must not be null; " +
        "Value 'SOAP' at 'protocolType' failed to satisfy constraint: Member must satisfy enum value set: [WEBSOCKET, HTTP]",
    );
  });

  it('null members are absent and unknown members are ignored, as on AWS', async () => {
    const res = await rawRequest(s.url, 'POST', `/v2/apis/${apiId}/routes`, { headers: JSON_HEADERS, body: '{"routeKey":"GET /n","target":null,"futureMember":{"x":1}}' });
    assert.equal(res.status, 201);
    assert.deepEqual(Object.keys(res.json as object).sort(), ['apiKeyRequired', 'authorizationType', 'routeId', 'routeKey']);
  });

  it('unknown paths and wrong methods are 404s that say what exists', async () => {
    const unknown = await rawRequest(s.url, 'GET', '/v2/nothing');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get('x-amzn-errortype'), 'NotFoundException');
    assert.equal((unknown.json as { message: string }).message, 'No operation of the API Gateway V2 management API matches GET /v2/nothing');
    const wrong = await rawRequest(s.url, 'PUT', `/v2/apis/${apiId}/routes`);
    assert.equal((wrong.json as { message: string }).message, `No operation answers PUT /v2/apis/${apiId}/routes; this path takes POST, GET`);
  });

  it('a bad percent-encoding in a label and an unknown response format are 400s', async () => {
    const res = await rawRequest(s.url, 'GET', '/v2/apis/%E0%A4%A');
    assert.equal(res.status, 400);
    assert.equal((res.json as { message: string }).message, "Invalid percent-encoding in path segment '%E0%A4%A'");
    const format = await rawRequest(s.url, 'GET', '/v2/apis', { headers: { 'x-gatehouse-response-format': 'xml' } });
    assert.equal(format.status, 400);
    assert.equal((format.json as { message: string }).message, "Invalid x-gatehouse-response-format header 'xml': must be aws or envelope");
  });
});
