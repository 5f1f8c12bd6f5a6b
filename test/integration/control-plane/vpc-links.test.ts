import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiCommand,
  CreateIntegrationCommand,
  CreateVpcLinkCommand,
  DeleteIntegrationCommand,
  DeleteVpcLinkCommand,
  GetVpcLinkCommand,
  GetVpcLinksCommand,
  UpdateVpcLinkCommand,
} from '@aws-sdk/client-apigatewayv2';
import { rejectsAws } from '../../helpers/assert-aws.js';
import type { TestServer } from '../../helpers/server.js';
import { rawRequest, startServer } from '../../helpers/server.js';

const SUBNETS = ['subnet-0123456789abcdef0', 'subnet-abcd1234'];
const GROUPS = ['sg-0123456789abcdef0'];
const LISTENER = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/my-alb/1234567890abcdef/1234567890abcdef';

describe('VpcLinks', () => {
  let s: TestServer;

  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s.close();
  });

  // CreateVpcLink answers PENDING as AWS does (the AWS CLI's create-vpc-link example); with no
  // network interfaces to provision, the next read finds the link AVAILABLE.
  it('CreateVpcLink answers PENDING; GetVpcLink finds it AVAILABLE', async () => {
    const created = await s.client.send(new CreateVpcLinkCommand({ Name: 'private', SubnetIds: SUBNETS, SecurityGroupIds: GROUPS, Tags: { env: 'dev' } }));
    const got = await s.client.send(new GetVpcLinkCommand({ VpcLinkId: created.VpcLinkId }));
    for (const link of [created, got]) {
      assert.match(String(link.VpcLinkId), /^[a-z0-9]{6}$/);
      assert.equal(link.Name, 'private');
      assert.deepEqual(link.SubnetIds, SUBNETS);
      assert.deepEqual(link.SecurityGroupIds, GROUPS);
      assert.deepEqual(link.Tags, { env: 'dev' });
      assert.equal(link.VpcLinkVersion, 'V2');
      assert.ok(link.CreatedDate instanceof Date);
    }
    assert.equal(created.VpcLinkStatus, 'PENDING');
    assert.equal(created.VpcLinkStatusMessage, 'VPC link is provisioning ENIs');
    assert.equal(got.VpcLinkStatus, 'AVAILABLE');
    assert.equal(got.VpcLinkStatusMessage, 'VPC link is ready to route traffic');
    const bare = await s.client.send(new CreateVpcLinkCommand({ Name: 'bare', SubnetIds: ['subnet-abcd1234', 'subnet-abcd1234'] }));
    assert.deepEqual(bare.SubnetIds, ['subnet-abcd1234'], 'duplicate subnets are stored once');
    assert.deepEqual(bare.SecurityGroupIds, []);
    assert.deepEqual(bare.Tags, {});
  });

  it('CreateVpcLink validates subnets, security groups and tags', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ SubnetIds: [] }, 'subnetIds must name at least one subnet'],
      // Any non-empty ids: AWS refuses only what EC2 cannot find, and Gatehouse has no EC2 (terraform-provider-aws passes ids through).
      [{ SubnetIds: [' '] }, 'Subnet and security group ids must not be empty'],
      [{ SubnetIds: Array.from({ length: 11 }, (_, i) => `subnet-0000000${i.toString(16)}`) }, 'A VPC link can have at most 10 subnets'],
      [{ SecurityGroupIds: [' '] }, 'Subnet and security group ids must not be empty'],
      [{ Tags: { 'aws:x': 'y' } }, 'Invalid tag key aws:x: the aws: prefix is reserved'],
      [{ Name: '' }, "1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"],
    ];
    for (const [extra, message] of cases) {
      await rejectsAws(s.client.send(new CreateVpcLinkCommand({ Name: 'bad', SubnetIds: SUBNETS, ...extra })), 'BadRequestException', message, 400);
    }
    await rejectsAws(
      s.client.send(new CreateVpcLinkCommand({ Name: 'bad' } as never)),
      'BadRequestException',
      "1 validation error detected: Value null at 'subnetIds' failed to satisfy constraint: Member must not be null",
    );
  });

  it('GetVpcLink unknown id is 404', async () => {
    const err = await rejectsAws(s.client.send(new GetVpcLinkCommand({ VpcLinkId: 'nope00' })), 'NotFoundException', 'Invalid VpcLink identifier specified nope00', 404);
    assert.equal((err as { ResourceType?: string }).ResourceType, 'VpcLink');
  });

  it('GetVpcLinks pages with maxResults and nextToken', async () => {
    for (let i = 0; i < 3; i++) await s.client.send(new CreateVpcLinkCommand({ Name: `page-${i}`, SubnetIds: SUBNETS }));
    const all = await s.client.send(new GetVpcLinksCommand({}));
    assert.ok((all.Items?.length ?? 0) >= 5);
    assert.equal(all.NextToken, undefined);
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await s.client.send(new GetVpcLinksCommand({ MaxResults: '2', ...(token ? { NextToken: token } : {}) }));
      assert.ok((page.Items?.length ?? 0) <= 2);
      ids.push(...(page.Items ?? []).map((l) => l.VpcLinkId as string));
      token = page.NextToken;
    } while (token);
    assert.deepEqual(ids, all.Items?.map((l) => l.VpcLinkId));
  });

  it('UpdateVpcLink renames the link and keeps the rest', async () => {
    const link = await s.client.send(new CreateVpcLinkCommand({ Name: 'old', SubnetIds: SUBNETS, SecurityGroupIds: GROUPS }));
    const renamed = await s.client.send(new UpdateVpcLinkCommand({ VpcLinkId: link.VpcLinkId, Name: 'new' }));
    assert.equal(renamed.Name, 'new');
    assert.deepEqual(renamed.SubnetIds, SUBNETS);
    assert.equal(renamed.VpcLinkStatus, 'AVAILABLE');
    assert.equal(renamed.CreatedDate?.getTime(), link.CreatedDate?.getTime());
    assert.equal((await s.client.send(new GetVpcLinkCommand({ VpcLinkId: link.VpcLinkId }))).Name, 'new');
    await rejectsAws(s.client.send(new UpdateVpcLinkCommand({ VpcLinkId: 'nope00', Name: 'x' })), 'NotFoundException', 'Invalid VpcLink identifier specified nope00', 404);
  });

  it('DeleteVpcLink answers 202 with {} and the link is gone', async () => {
    const link = await s.client.send(new CreateVpcLinkCommand({ Name: 'gone', SubnetIds: SUBNETS }));
    const deleted = await s.client.send(new DeleteVpcLinkCommand({ VpcLinkId: link.VpcLinkId }));
    assert.equal(deleted.$metadata.httpStatusCode, 202);
    await rejectsAws(s.client.send(new GetVpcLinkCommand({ VpcLinkId: link.VpcLinkId })), 'NotFoundException', `Invalid VpcLink identifier specified ${link.VpcLinkId as string}`);
    await rejectsAws(s.client.send(new DeleteVpcLinkCommand({ VpcLinkId: link.VpcLinkId })), 'NotFoundException', `Invalid VpcLink identifier specified ${link.VpcLinkId as string}`, 404);
    const raw = await s.client.send(new CreateVpcLinkCommand({ Name: 'raw', SubnetIds: SUBNETS }));
    const res = await rawRequest(s.url, 'DELETE', `/v2/vpclinks/${raw.VpcLinkId as string}`);
    assert.equal(res.status, 202);
    assert.equal(res.text, '{}');
  });

  it('DeleteVpcLink is 409 while an integration of any API uses the link', async () => {
    const link = await s.client.send(new CreateVpcLinkCommand({ Name: 'used', SubnetIds: SUBNETS }));
    await s.client.send(new CreateApiCommand({ Name: 'unrelated', ProtocolType: 'HTTP' }));
    const apiId = (await s.client.send(new CreateApiCommand({ Name: 'private', ProtocolType: 'HTTP' }))).ApiId as string;
    const integration = await s.client.send(
      new CreateIntegrationCommand({
        ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: LISTENER,
        ConnectionType: 'VPC_LINK', ConnectionId: link.VpcLinkId, PayloadFormatVersion: '1.0',
      }),
    );
    await rejectsAws(
      s.client.send(new DeleteVpcLinkCommand({ VpcLinkId: link.VpcLinkId })),
      'ConflictException',
      `Cannot delete VPC link ${link.VpcLinkId as string}: integration ${integration.IntegrationId as string} of API ${apiId} uses it`,
      409,
    );
    assert.equal((await s.client.send(new GetVpcLinkCommand({ VpcLinkId: link.VpcLinkId }))).Name, 'used', 'the link is kept');
    await s.client.send(new DeleteIntegrationCommand({ ApiId: apiId, IntegrationId: integration.IntegrationId }));
    assert.equal((await s.client.send(new DeleteVpcLinkCommand({ VpcLinkId: link.VpcLinkId }))).$metadata.httpStatusCode, 202);
  });
});
