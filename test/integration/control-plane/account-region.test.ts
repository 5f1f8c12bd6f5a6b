/**
 * Every resource lives in one AWS account and region, as on AWS and in its emulators (moto,
 * LocalStack): the region comes from the SigV4 credential scope, the account from a 12-digit access
 * key id. Two regions and two accounts side by side: lists, gets, tags, ARNs, endpoints, NotFound
 * texts — and the data plane, which finds an API by its id whichever region holds it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import {
  CreateApiCommand,
  CreateDomainNameCommand,
  CreateVpcLinkCommand,
  GetApiCommand,
  GetApisCommand,
  GetDomainNamesCommand,
  GetTagsCommand,
  GetVpcLinksCommand,
  TagResourceCommand,
} from '@aws-sdk/client-apigatewayv2';
import { call, fixture } from '../../helpers/data-plane.js';
import { rejectsAws } from '../../helpers/assert-aws.js';
import type { TestServer } from '../../helpers/server.js';
import { rawRequest, sdkClient, startServer } from '../../helpers/server.js';

describe('accounts and regions', () => {
  let s: TestServer;
  let euWest: ApiGatewayV2Client;
  let usEast: ApiGatewayV2Client;
  let otherAccount: ApiGatewayV2Client;
  before(async () => {
    s = await startServer({ args: ['--function', `echo=${fixture('echo.mjs')}`] });
    euWest = sdkClient(s.url, { region: 'eu-west-1' });
    usEast = sdkClient(s.url, { region: 'us-east-1' });
    otherAccount = sdkClient(s.url, { region: 'eu-west-1', credentials: { accessKeyId: '111122223333', secretAccessKey: 'x' } });
  });
  after(async () => {
    for (const c of [euWest, usEast, otherAccount]) c.destroy();
    await s.close();
  });

  it('an API created in eu-west-1 is listed, got and tagged in eu-west-1 only, with its ARN', async () => {
    const api = await euWest.send(new CreateApiCommand({ Name: 'eu', ProtocolType: 'HTTP' }));
    const id = api.ApiId as string;
    assert.ok((await euWest.send(new GetApisCommand({}))).Items?.some((a) => a.ApiId === id));
    assert.ok(!(await usEast.send(new GetApisCommand({}))).Items?.some((a) => a.ApiId === id), 'not listed in us-east-1');
    await rejectsAws(usEast.send(new GetApiCommand({ ApiId: id })), 'NotFoundException', `Invalid API identifier specified 000000000000:${id}`, 404);
    // The caller's own ARN (region eu-west-1) is its API's.
    const arn = `arn:aws:apigateway:eu-west-1::/apis/${id}`;
    await euWest.send(new TagResourceCommand({ ResourceArn: arn, Tags: { team: 'eu' } }));
    assert.deepEqual((await euWest.send(new GetTagsCommand({ ResourceArn: arn }))).Tags, { team: 'eu' });
    await rejectsAws(usEast.send(new GetTagsCommand({ ResourceArn: arn })), 'NotFoundException', `Invalid API identifier specified 000000000000:${id}`, 404);
    await rejectsAws(
      euWest.send(new GetTagsCommand({ ResourceArn: `arn:aws:apigateway:us-east-1::/apis/${id}` })),
      'NotFoundException',
      `Invalid API identifier specified 000000000000:${id}`,
      404,
    );
  });

  it('a 12-digit access key id is the account: its resources are separate, and NotFound names it', async () => {
    const mine = await otherAccount.send(new CreateApiCommand({ Name: 'other-account', ProtocolType: 'HTTP' }));
    const id = mine.ApiId as string;
    assert.ok(!(await euWest.send(new GetApisCommand({}))).Items?.some((a) => a.ApiId === id), 'not listed to the default account');
    await rejectsAws(euWest.send(new GetApiCommand({ ApiId: id })), 'NotFoundException', `Invalid API identifier specified 000000000000:${id}`, 404);
    const theirs = await euWest.send(new CreateApiCommand({ Name: 'default-account', ProtocolType: 'HTTP' }));
    await rejectsAws(otherAccount.send(new GetApiCommand({ ApiId: theirs.ApiId })), 'NotFoundException', `Invalid API identifier specified 111122223333:${theirs.ApiId}`, 404);
  });

  it('domain names and VPC links are per account and region, with the region in their ARN and endpoint', async () => {
    const d = await euWest.send(new CreateDomainNameCommand({ DomainName: 'regional.example.com' }));
    assert.equal(d.DomainNameArn, 'arn:aws:apigateway:eu-west-1::/domainnames/regional.example.com');
    assert.match(String(d.DomainNameConfigurations?.[0]?.ApiGatewayDomainName), /\.execute-api\.eu-west-1\.amazonaws\.com$/);
    // The same name in another region is another domain name.
    await usEast.send(new CreateDomainNameCommand({ DomainName: 'regional.example.com' }));
    const names = async (c: ApiGatewayV2Client) => (await c.send(new GetDomainNamesCommand({}))).Items?.map((i) => i.DomainNameArn) ?? [];
    assert.ok((await names(euWest)).includes('arn:aws:apigateway:eu-west-1::/domainnames/regional.example.com'));
    assert.ok(!(await names(euWest)).includes('arn:aws:apigateway:us-east-1::/domainnames/regional.example.com'));
    const link = await euWest.send(new CreateVpcLinkCommand({ Name: 'eu-link', SubnetIds: ['subnet-a'] }));
    assert.ok(!(await usEast.send(new GetVpcLinksCommand({}))).Items?.some((l) => l.VpcLinkId === link.VpcLinkId));
  });

  it('unsigned requests act in --region and the default account', async () => {
    const created = await rawRequest(s.url, 'POST', '/v2/apis', { body: JSON.stringify({ name: 'unsigned', protocolType: 'HTTP' }), headers: { 'content-type': 'application/json' } });
    assert.equal(created.status, 201);
    const id = (created.json as { apiId: string }).apiId;
    assert.equal((await usEast.send(new GetApiCommand({ ApiId: id }))).Name, 'unsigned');
  });

  it("the data plane serves an API of any region by its id, with its account and region in the event's ARNs", async () => {
    const api = await otherAccount.send(
      new CreateApiCommand({ Name: 'served', ProtocolType: 'HTTP', Target: 'arn:aws:lambda:eu-west-1:111122223333:function:echo' }),
    );
    const reply = await call(s.gatehouse.port, api.ApiId as string, 'GET', '/hello');
    assert.equal(reply.status, 200);
    const event = reply.json<{ requestContext: { accountId: string } }>();
    assert.equal(event.requestContext.accountId, '111122223333');
  });
});
