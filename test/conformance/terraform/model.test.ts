/**
 * aws_apigatewayv2_model: the request sequences of terraform-provider-aws's acceptance tests
 * (internal/service/apigatewayv2/model_test.go, commit fd91d1b7945cd7b14e91b4f8e9770d14a6f793d9) and model.go
 * (commit de586a39b0da70242842191c413c412535476cf7): create {contentType, name, schema, description?}; update
 * sends the changed members, description "" when it was removed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';
import { assertUnset, call, ok, wsApi } from './helpers.js';

const schema1 = { $schema: 'http://json-schema.org/draft-04/schema#', title: 'ExampleModel1', type: 'object', properties: { id: { type: 'string' } } };
const schema2 = { $schema: 'http://json-schema.org/draft-04/schema#', title: 'ExampleModel', type: 'object', properties: { ids: { type: 'array', items: { type: 'integer' } } } };

describe('terraform aws_apigatewayv2_model', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  // TestAccAPIGatewayV2Model_basic: the schema reads back as equivalent JSON (CheckResourceAttrEquivalentJSON).
  it('CreateModel application/json', async () => {
    const { apiId } = await wsApi(s);
    const { modelId } = ok(await call(s, 'POST', `/v2/apis/${apiId}/models`, { contentType: 'application/json', name: 'tfacctestbasic', schema: JSON.stringify(schema1) }), 201);
    const m = ok(await call(s, 'GET', `/v2/apis/${apiId}/models/${modelId}`));
    assert.equal(m.contentType, 'application/json');
    assertUnset(m.description, 'description');
    assert.equal(m.name, 'tfacctestbasic');
    assert.deepEqual(JSON.parse(m.schema), schema1);
  });

  // TestAccAPIGatewayV2Model_allAttributes: text/x-json with a description -> basic (description "") -> back.
  it('UpdateModel: description "" clears it, contentType and schema change', async () => {
    const { apiId } = await wsApi(s);
    const { modelId } = ok(await call(s, 'POST', `/v2/apis/${apiId}/models`, {
      contentType: 'text/x-json', description: 'test', name: 'tfacctestall', schema: JSON.stringify(schema1),
    }), 201);
    const url = `/v2/apis/${apiId}/models/${modelId}`;
    let m = ok(await call(s, 'GET', url));
    assert.equal(m.contentType, 'text/x-json');
    assert.equal(m.description, 'test');

    ok(await call(s, 'PATCH', url, { contentType: 'application/json', description: '', schema: JSON.stringify(schema2) }));
    m = ok(await call(s, 'GET', url));
    assert.equal(m.contentType, 'application/json');
    assertUnset(m.description, 'description');
    assert.deepEqual(JSON.parse(m.schema), schema2);

    ok(await call(s, 'PATCH', url, { contentType: 'text/x-json', description: 'test', schema: JSON.stringify(schema1) }));
    m = ok(await call(s, 'GET', url));
    assert.equal(m.contentType, 'text/x-json');
    assert.equal(m.description, 'test');
    assert.deepEqual(JSON.parse(m.schema), schema1);
  });

  // TestAccAPIGatewayV2Model_disappears: NotFoundException once deleted.
  it('DeleteModel, then GetModel answers NotFoundException', async () => {
    const { apiId } = await wsApi(s);
    const { modelId } = ok(await call(s, 'POST', `/v2/apis/${apiId}/models`, { contentType: 'application/json', name: 'tfacctestgone', schema: JSON.stringify(schema1) }), 201);
    ok(await call(s, 'DELETE', `/v2/apis/${apiId}/models/${modelId}`), 204);
    const res = await call(s, 'GET', `/v2/apis/${apiId}/models/${modelId}`);
    assert.equal(res.status, 404);
    assert.equal(res.type, 'NotFoundException');
  });
});
