/**
 * aws_apigatewayv2_api_mapping: the request sequences of terraform-provider-aws's acceptance tests
 * (internal/service/apigatewayv2/api_mapping_test.go, commit 262d4da63aa78d7dcea5d62ac118005e6628db57) and
 * api_mapping.go (commit b4affb1fa9cc7f10d3c4932bd09b37a752b37f48): create {apiId, domainName, stage,
 * apiMappingKey?}; update always sends apiId with the changed apiMappingKey/stage.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';
import { assertUnset, call, createDomainName, createStage, ok, wsApi } from './helpers.js';

describe('terraform aws_apigatewayv2_api_mapping', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  /** testAccAPIMappingConfig_base + testAccStageConfig_basicWebSocket. */
  const base = async (domain: string) => {
    await createDomainName(s, domain);
    const { apiId } = await wsApi(s);
    await createStage(s, apiId, { stageName: 'tf-stage' });
    return apiId as string;
  };
  const get = async (domain: string, id: string) => ok(await call(s, 'GET', `/v2/domainnames/${domain}/apimappings/${id}`));

  // testAccAPIMapping_basic: a mapping without a key.
  it('CreateApiMapping without a key', async () => {
    const apiId = await base('tf-map.example.com');
    const { apiMappingId } = ok(await call(s, 'POST', '/v2/domainnames/tf-map.example.com/apimappings', { apiId, domainName: 'tf-map.example.com', stage: 'tf-stage' }), 201);
    const m = await get('tf-map.example.com', apiMappingId);
    assert.equal(m.apiId, apiId);
    assert.equal(m.stage, 'tf-stage');
    assertUnset(m.apiMappingKey, 'apiMappingKey');
  });

  // testAccAPIMapping_ApiMappingKey: the keys "$context.domainName", then "$context.apiId" (literal strings) are
  // accepted and read back as given.
  it('CreateApiMapping / UpdateApiMapping apiMappingKey', async () => {
    const apiId = await base('tf-key.example.com');
    const { apiMappingId } = ok(await call(s, 'POST', '/v2/domainnames/tf-key.example.com/apimappings', {
      apiId, domainName: 'tf-key.example.com', stage: 'tf-stage', apiMappingKey: '$context.domainName',
    }), 201);
    assert.equal((await get('tf-key.example.com', apiMappingId)).apiMappingKey, '$context.domainName');
    ok(await call(s, 'PATCH', `/v2/domainnames/tf-key.example.com/apimappings/${apiMappingId}`, { apiId, apiMappingKey: '$context.apiId' }));
    const m = await get('tf-key.example.com', apiMappingId);
    assert.equal(m.apiMappingKey, '$context.apiId');
    assert.equal(m.stage, 'tf-stage');
  });

  // testAccAPIMapping_disappears / resourceAPIMappingDelete: NotFoundException once deleted.
  it('DeleteApiMapping, then GetApiMapping answers NotFoundException', async () => {
    const apiId = await base('tf-gone.example.com');
    const { apiMappingId } = ok(await call(s, 'POST', '/v2/domainnames/tf-gone.example.com/apimappings', { apiId, domainName: 'tf-gone.example.com', stage: 'tf-stage' }), 201);
    ok(await call(s, 'DELETE', `/v2/domainnames/tf-gone.example.com/apimappings/${apiMappingId}`), 204);
    const res = await call(s, 'GET', `/v2/domainnames/tf-gone.example.com/apimappings/${apiMappingId}`);
    assert.equal(res.status, 404);
    assert.equal(res.type, 'NotFoundException');
  });
});
