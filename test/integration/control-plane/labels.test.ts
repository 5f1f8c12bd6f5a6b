/**
 * A URI label is one path segment, matched after routing, never a path: `..`, `.` and their
 * percent-encoded forms are identifiers like any other (and name nothing), so no request can reach
 * another operation through them. Regression: `aws apigatewayv2 delete-route --route-id ..` deleted
 * the whole API, because the path was URL-resolved before routing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateApiCommand, DeleteRouteCommand, GetApiCommand, GetRoutesCommand } from '@aws-sdk/client-apigatewayv2';
import { rejectsAws } from '../../helpers/assert-aws.js';
import type { TestServer } from '../../helpers/server.js';
import { exchange } from '../../helpers/raw-http.js';
import { startServer } from '../../helpers/server.js';

describe('URI labels with dot segments', () => {
  let s: TestServer;
  let apiId: string;
  before(async () => {
    s = await startServer();
    apiId = (await s.client.send(new CreateApiCommand({ Name: 'kept', ProtocolType: 'HTTP', Target: 'https://example.com' }))).ApiId as string;
  });
  after(() => s.close());

  const apiStillThere = async () => {
    assert.equal((await s.client.send(new GetApiCommand({ ApiId: apiId }))).Name, 'kept');
    assert.equal((await s.client.send(new GetRoutesCommand({ ApiId: apiId }))).Items?.length, 1);
  };

  it('DeleteRoute with route id .. (as the SDK sends it) is a 404 for that route; the API stays', async () => {
    await rejectsAws(s.client.send(new DeleteRouteCommand({ ApiId: apiId, RouteId: '..' })), 'NotFoundException', 'Invalid Route identifier specified ..', 404);
    await apiStillThere();
  });

  /** Sends the target as written (fetch and the SDKs' URL classes would resolve dot segments first). */
  const raw = async (method: string, target: string) => {
    const body = method === 'PATCH' ? '{}' : '';
    const { responses } = await exchange(
      s.gatehouse.port,
      `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      { expect: 1 },
    );
    const [res] = responses;
    assert.ok(res, `${method} ${target}: no response`);
    return { status: res.status, type: res.headers['x-amzn-errortype'], json: JSON.parse(res.body) as unknown };
  };

  it('raw dot segments, literal or percent-encoded in any case, never reach another operation', async () => {
    const cases: [string, string, string][] = [
      ['DELETE', `/v2/apis/${apiId}/routes/..`, 'Invalid Route identifier specified ..'],
      ['DELETE', `/v2/apis/${apiId}/routes/%2e%2e`, 'Invalid Route identifier specified ..'],
      ['DELETE', `/v2/apis/${apiId}/routes/%2E.`, 'Invalid Route identifier specified ..'],
      ['PATCH', `/v2/apis/${apiId}/integrations/..`, 'Invalid Integration identifier specified ..'],
      ['GET', `/v2/apis/${apiId}/routes/.`, 'Invalid Route identifier specified .'],
      ['DELETE', `/v2/apis/${apiId}/stages/..`, 'Invalid stage identifier specified'],
    ];
    for (const [method, path, message] of cases) {
      const res = await raw(method, path);
      assert.equal(res.status, 404, `${method} ${path}: ${JSON.stringify(res.json)}`);
      assert.equal(res.type, 'NotFoundException');
      assert.deepEqual(res.json, { message, resourceType: message.includes('stage') ? 'Stage' : message.includes('Integration') ? 'Integration' : 'Route' });
    }
    await apiStillThere();
  });

  it('dot segments in the API id are an unknown API, not the API list', async () => {
    const res = await raw('DELETE', '/v2/apis/..');
    assert.equal(res.status, 404);
    assert.equal(res.type, 'NotFoundException');
    assert.deepEqual(res.json, { message: 'Invalid API identifier specified 000000000000:..', resourceType: 'Api' });
    await apiStillThere();
  });
});
