import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeploymentSnapshot } from '../model/resources.js';
import { diffSnapshots } from './diff.js';

const snapshot = (parts: Partial<DeploymentSnapshot>): DeploymentSnapshot =>
  ({ api: { apiId: 'a1', name: 'pets', protocolType: 'HTTP' }, routes: [], integrations: [], authorizers: [], models: [], routeResponses: {}, integrationResponses: {}, ...parts }) as unknown as DeploymentSnapshot;

describe('diffSnapshots', () => {
  it('lists added, removed and changed resources field by field, ignoring ids and dates that change with every deployment', () => {
    const before = snapshot({
      routes: [
        { routeId: 'r1', routeKey: 'GET /pets', authorizationType: 'NONE', target: 'integrations/i1', createdDate: '2026-01-01' },
        { routeId: 'r2', routeKey: 'DELETE /pets/{id}', authorizationType: 'NONE', createdDate: '2026-01-01' },
      ] as DeploymentSnapshot['routes'],
      integrations: [{ integrationId: 'i1', integrationType: 'AWS_PROXY', timeoutInMillis: 30000 }] as DeploymentSnapshot['integrations'],
    });
    const after = snapshot({
      api: { apiId: 'a1', name: 'pets', protocolType: 'HTTP', description: 'v2' } as DeploymentSnapshot['api'],
      routes: [
        { routeId: 'r9', routeKey: 'GET /pets', authorizationType: 'JWT', target: 'integrations/i1', createdDate: '2026-02-02' },
        { routeId: 'r3', routeKey: 'POST /pets', authorizationType: 'NONE', createdDate: '2026-02-02' },
      ] as DeploymentSnapshot['routes'],
      integrations: [{ integrationId: 'i1', integrationType: 'AWS_PROXY', timeoutInMillis: 5000 }] as DeploymentSnapshot['integrations'],
    });
    assert.deepEqual(diffSnapshots(before, after), [
      { kind: 'api', key: 'pets', change: 'changed', fields: [{ name: 'description', to: 'v2' }] },
      { kind: 'route', key: 'DELETE /pets/{id}', change: 'removed' },
      { kind: 'route', key: 'GET /pets', change: 'changed', fields: [{ name: 'authorizationType', from: 'NONE', to: 'JWT' }] },
      { kind: 'route', key: 'POST /pets', change: 'added' },
      { kind: 'integration', key: 'i1', change: 'changed', fields: [{ name: 'timeoutInMillis', from: 30000, to: 5000 }] },
    ]);
    assert.deepEqual(diffSnapshots(after, after), []);
  });

  it('a route response or an integration response that changed is a change of its route or integration', () => {
    const route = [{ routeId: 'r1', routeKey: 'sendmessage', target: 'integrations/i1' }] as DeploymentSnapshot['routes'];
    const integration = [{ integrationId: 'i1', integrationType: 'AWS' }] as DeploymentSnapshot['integrations'];
    const before = snapshot({ routes: route, integrations: integration });
    const after = snapshot({
      routes: [{ ...route[0], routeId: 'r2' }] as DeploymentSnapshot['routes'],
      integrations: integration,
      routeResponses: { r2: [{ routeResponseId: 'rr1', routeResponseKey: '$default' }] } as unknown as DeploymentSnapshot['routeResponses'],
      integrationResponses: { i1: [{ integrationResponseId: 'ir1', integrationResponseKey: '/200/', templateSelectionExpression: '\\$default' }] } as unknown as DeploymentSnapshot['integrationResponses'],
    });
    assert.deepEqual(diffSnapshots(before, after), [
      { kind: 'route', key: 'sendmessage', change: 'changed', fields: [{ name: 'responses', from: [], to: [{ routeResponseKey: '$default' }] }] },
      { kind: 'integration', key: 'i1', change: 'changed', fields: [{ name: 'responses', from: [], to: [{ integrationResponseKey: '/200/', templateSelectionExpression: '\\$default' }] }] },
    ]);
  });
});
