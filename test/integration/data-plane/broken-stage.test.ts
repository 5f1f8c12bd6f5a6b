import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateApiCommand } from '@aws-sdk/client-apigatewayv2';
import type { ApiRecord, DeploymentRecord, StageRecord } from '../../../src/model/resources.js';
import { call } from '../../helpers/data-plane.js';
import { startServer } from '../../helpers/server.js';

describe('data plane: a stage that cannot be compiled', () => {
  it('answers 500 with the reason logged, instead of silently keeping old stages or 404ing', async () => {
    const s = await startServer();
    try {
      const apiId = (await s.client.send(new CreateApiCommand({ Name: 'broken', ProtocolType: 'HTTP' }))).ApiId as string;
      const api = (await s.gatehouse.store.get<ApiRecord>('api', '', apiId))?.data as ApiRecord;
      const now = '2026-01-01T00:00:00Z';
      // Two routes the matcher refuses to hold together: the control plane never writes this.
      const route = (routeKey: string) => ({ routeId: routeKey.replace(/\W/g, ''), routeKey, authorizationType: 'NONE', apiKeyRequired: false, createdDate: now });
      const deployment: DeploymentRecord = {
        deploymentId: 'broken', deploymentStatus: 'DEPLOYED', autoDeployed: false, createdDate: now,
        snapshot: { api, routes: [route('GET /a/{x}'), route('GET /a/{y}')], integrations: [], authorizers: [], models: [], routeResponses: {}, integrationResponses: {} },
      };
      const stage: StageRecord = { stageName: '$default', autoDeploy: false, deploymentId: 'broken', defaultRouteSettings: {}, routeSettings: {}, stageVariables: {}, tags: {}, createdDate: now, lastUpdatedDate: now };
      await s.gatehouse.store.apply([
        { op: 'insert', kind: 'deployment', scope: apiId, id: 'broken', data: deployment },
        { op: 'insert', kind: 'stage', scope: apiId, id: '$default', data: stage },
      ]);
      const res = await call(s.gatehouse.port, apiId, 'GET', '/a/1');
      assert.equal(res.status, 500);
      assert.equal(res.text, '{"message":"Internal Server Error"}');
      assert.ok(res.headers['apigw-requestid']);
    } finally {
      await s.close();
    }
  });
});
