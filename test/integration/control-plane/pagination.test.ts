import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateApiCommand, CreateRouteCommand, GetApisCommand, GetRoutesCommand } from '@aws-sdk/client-apigatewayv2';
import { rejectsAws } from '../../helpers/assert-aws.js';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';

describe('pagination', () => {
  let s: TestServer;
  let apiId: string;
  const keys = Array.from({ length: 7 }, (_, i) => `GET /r${i}`);
  before(async () => {
    s = await startServer();
    apiId = (await s.client.send(new CreateApiCommand({ Name: 'paged', ProtocolType: 'HTTP' }))).ApiId as string;
    for (const key of keys) await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: key }));
  });
  after(() => s.close());

  it('GetRoutes walks every page in creation order; the last page has no nextToken', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s.client.send(new GetRoutesCommand({ ApiId: apiId, MaxResults: '3', ...(token ? { NextToken: token } : {}) }));
      seen.push(...(page.Items ?? []).map((r) => r.RouteKey as string));
      token = page.NextToken;
      pages++;
    } while (token);
    assert.deepEqual(seen, keys);
    assert.equal(pages, 3);
    const all = await s.client.send(new GetRoutesCommand({ ApiId: apiId }));
    assert.equal(all.Items?.length, 7);
    assert.equal(all.NextToken, undefined);
  });

  it('GetApis pages too', async () => {
    await s.client.send(new CreateApiCommand({ Name: 'second', ProtocolType: 'HTTP' }));
    const first = await s.client.send(new GetApisCommand({ MaxResults: '1' }));
    assert.equal(first.Items?.length, 1);
    const second = await s.client.send(new GetApisCommand({ MaxResults: '1', NextToken: first.NextToken }));
    assert.equal(second.Items?.length, 1);
    assert.notEqual(second.Items?.[0]?.ApiId, first.Items?.[0]?.ApiId);
    assert.equal(second.NextToken, undefined);
  });

  it('an invalid nextToken or maxResults is a 400', async () => {
    await rejectsAws(s.client.send(new GetRoutesCommand({ ApiId: apiId, NextToken: 'garbage' })), 'BadRequestException', 'Invalid nextToken', 400);
    await rejectsAws(s.client.send(new GetRoutesCommand({ ApiId: apiId, MaxResults: '0' })), 'BadRequestException', "Invalid maxResults '0': must be a positive integer");
    await rejectsAws(s.client.send(new GetRoutesCommand({ ApiId: apiId, MaxResults: 'ten' })), 'BadRequestException', "Invalid maxResults 'ten': must be a positive integer");
  });
});
