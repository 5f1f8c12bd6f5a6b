import assert from 'node:assert/strict';
import { it } from 'node:test';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import { adoptUnscopedResources } from './unscoped.js';

it('adoptUnscopedResources moves resources written before account/region scoping, ids and data kept', async () => {
  const store = openSqliteStore(':memory:');
  try {
    await store.apply([
      { op: 'insert', kind: 'api', scope: '', id: 'a1', data: { apiId: 'a1', name: 'old' } },
      { op: 'insert', kind: 'route', scope: 'a1', id: 'r1', key: 'GET /', data: { routeKey: 'GET /' } },
      { op: 'insert', kind: 'vpcLink', scope: '', id: 'v1', data: { vpcLinkId: 'v1' } },
      { op: 'insert', kind: 'domainName', scope: '', id: 'api.example.com', data: { domainName: 'api.example.com' } },
      { op: 'insert', kind: 'apiMapping', scope: 'domainnames/api.example.com', id: 'm1', key: 'v1', data: { apiId: 'a1', stage: 'prod', apiMappingKey: 'v1' } },
    ]);
    assert.equal(await adoptUnscopedResources(store, 'eu-west-1'), 3);
    const place = '000000000000:eu-west-1';
    assert.deepEqual((await store.get('api', place, 'a1'))?.data, { apiId: 'a1', name: 'old' });
    assert.equal(await store.get('api', '', 'a1'), undefined);
    assert.ok(await store.get('route', 'a1', 'r1'), 'children of an API stay under its id');
    assert.ok(await store.get('vpcLink', place, 'v1'));
    assert.ok(await store.get('domainName', place, 'api.example.com'));
    const mapping = await store.get('apiMapping', `domainnames/${place}/api.example.com`, 'm1');
    assert.equal(mapping?.key, 'v1');
    assert.deepEqual(mapping?.data, { apiId: 'a1', stage: 'prod', apiMappingKey: 'v1', apiStage: 'a1/prod' });
    assert.equal(await adoptUnscopedResources(store, 'eu-west-1'), 0, 'a second start moves nothing');
  } finally {
    await store.close();
  }
});
