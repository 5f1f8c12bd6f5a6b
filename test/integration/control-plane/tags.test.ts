import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiCommand,
  CreateDomainNameCommand,
  CreateVpcLinkCommand,
  GetApiCommand,
  GetDomainNameCommand,
  GetTagsCommand,
  GetVpcLinkCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-apigatewayv2';
import { rejectsAws } from '../../helpers/assert-aws.js';
import type { TestServer } from '../../helpers/server.js';
import { rawRequest, startServer } from '../../helpers/server.js';

const ARN = 'arn:aws:apigateway:us-east-1::';

describe('Tags', () => {
  let s: TestServer;
  let apiId: string;
  let vpcLinkId: string;

  before(async () => {
    s = await startServer();
    apiId = (await s.client.send(new CreateApiCommand({ Name: 'tagged', ProtocolType: 'HTTP', Target: 'https://example.com', Tags: { owner: 'api-team' } }))).ApiId as string;
    await s.client.send(new CreateDomainNameCommand({ DomainName: 'tags.example.com', Tags: { owner: 'dns-team' } }));
    vpcLinkId = (await s.client.send(new CreateVpcLinkCommand({ Name: 'tagged', SubnetIds: ['subnet-abcd1234'], Tags: { owner: 'net-team' } }))).VpcLinkId as string;
  });
  after(async () => {
    await s.close();
  });

  it('GetTags returns the tags given at create time', async () => {
    assert.deepEqual((await s.client.send(new GetTagsCommand({ ResourceArn: `${ARN}/apis/${apiId}` }))).Tags, { owner: 'api-team' });
    assert.deepEqual((await s.client.send(new GetTagsCommand({ ResourceArn: `${ARN}/apis/${apiId}/stages/$default` }))).Tags, {});
    assert.deepEqual((await s.client.send(new GetTagsCommand({ ResourceArn: `${ARN}/domainnames/tags.example.com` }))).Tags, { owner: 'dns-team' });
    assert.deepEqual((await s.client.send(new GetTagsCommand({ ResourceArn: `${ARN}/vpclinks/${vpcLinkId}` }))).Tags, { owner: 'net-team' });
  });

  it('TagResource merges tags into each kind of resource; the resource shows them inline', async () => {
    for (const path of [`/apis/${apiId}`, `/apis/${apiId}/stages/$default`, '/domainnames/tags.example.com', `/vpclinks/${vpcLinkId}`]) {
      const arn = `${ARN}${path}`;
      const before = (await s.client.send(new GetTagsCommand({ ResourceArn: arn }))).Tags ?? {};
      const tagged = await s.client.send(new TagResourceCommand({ ResourceArn: arn, Tags: { env: 'dev', 'cost center': 'a/b+c=d@e.f:g_h-i' } }));
      assert.equal(tagged.$metadata.httpStatusCode, 201);
      assert.deepEqual((await s.client.send(new GetTagsCommand({ ResourceArn: arn }))).Tags, { ...before, env: 'dev', 'cost center': 'a/b+c=d@e.f:g_h-i' }, path);
      await s.client.send(new TagResourceCommand({ ResourceArn: arn, Tags: { env: 'prod' } }));
      assert.equal((await s.client.send(new GetTagsCommand({ ResourceArn: arn }))).Tags?.env, 'prod', 'an existing key is overwritten');
    }
    assert.equal((await s.client.send(new GetApiCommand({ ApiId: apiId }))).Tags?.env, 'prod');
    assert.equal((await s.client.send(new GetDomainNameCommand({ DomainName: 'tags.example.com' }))).Tags?.env, 'prod');
    assert.equal((await s.client.send(new GetVpcLinkCommand({ VpcLinkId: vpcLinkId }))).Tags?.env, 'prod');
  });

  it('UntagResource removes the named keys (repeated tagKeys) and ignores absent ones', async () => {
    const arn = `${ARN}/vpclinks/${vpcLinkId}`;
    await s.client.send(new TagResourceCommand({ ResourceArn: arn, Tags: { a: '1', b: '2', c: '3' } }));
    const res = await s.client.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['a', 'b', 'missing'] }));
    assert.equal(res.$metadata.httpStatusCode, 204);
    const tags = (await s.client.send(new GetTagsCommand({ ResourceArn: arn }))).Tags ?? {};
    assert.equal(tags.c, '3');
    assert.ok(!('a' in tags) && !('b' in tags));
  });

  it('TagResource and UntagResource answer as AWS on the wire (201 {} and 204)', async () => {
    const path = `/v2/tags/${encodeURIComponent(`${ARN}/apis/${apiId}`)}`;
    const tag = await rawRequest(s.url, 'POST', path, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tags: { wire: 'yes' } }) });
    assert.equal(tag.status, 201);
    assert.equal(tag.text, '{}');
    const untag = await rawRequest(s.url, 'DELETE', `${path}?tagKeys=wire`);
    assert.equal(untag.status, 204);
    assert.equal(untag.text, '');
    const get = await rawRequest(s.url, 'GET', path);
    assert.ok(!('wire' in (get.json as { tags: Record<string, string> }).tags));
  });

  it('TagResource validates keys, values and the 50-tag limit', async () => {
    const arn = `${ARN}/domainnames/tags.example.com`;
    const cases: [Record<string, string>, string][] = [
      [{ 'aws:owner': 'x' }, 'Invalid tag key aws:owner: the aws: prefix is reserved'],
      [{ 'AWS:owner': 'x' }, 'Invalid tag key AWS:owner: the aws: prefix is reserved'],
      [{ ['k'.repeat(129)]: 'x' }, `Invalid tag key ${'k'.repeat(129)}: must be 1-128 characters`],
      [{ '': 'x' }, 'Invalid tag key : must be 1-128 characters'],
      [{ key: 'v'.repeat(257) }, 'Invalid tag value for key key: must be at most 256 characters'],
      [{ 'a#b': 'x' }, 'Invalid tag key a#b: use letters, digits, spaces and _ . : / = + - @'],
      [{ key: 'semi;colon' }, 'Invalid tag value for key key: use letters, digits, spaces and _ . : / = + - @'],
    ];
    for (const [tags, message] of cases) {
      await rejectsAws(s.client.send(new TagResourceCommand({ ResourceArn: arn, Tags: tags })), 'BadRequestException', message, 400);
    }
    const current = Object.keys((await s.client.send(new GetTagsCommand({ ResourceArn: arn }))).Tags ?? {}).length;
    const fill = Object.fromEntries(Array.from({ length: 50 - current }, (_, i) => [`fill${i}`, String(i)]));
    await s.client.send(new TagResourceCommand({ ResourceArn: arn, Tags: fill }));
    await s.client.send(new TagResourceCommand({ ResourceArn: arn, Tags: { fill0: 'overwrite is fine at the limit' } }));
    await rejectsAws(
      s.client.send(new TagResourceCommand({ ResourceArn: arn, Tags: { one: 'too many' } })),
      'BadRequestException',
      'A resource can have at most 50 tags; this request would leave 51',
    );
    await rejectsAws(
      s.client.send(new CreateVpcLinkCommand({ Name: 'many', SubnetIds: ['subnet-abcd1234'], Tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) })),
      'BadRequestException',
      'A resource can have at most 50 tags; this request would leave 51',
    );
  });

  it('malformed or unsupported ARNs are 400 BadRequestException', async () => {
    const message = (arn: string) =>
      `Invalid resource ARN ${arn}: tags are supported on arn:aws:apigateway:{region}::/apis/{apiId}, ` +
      '/apis/{apiId}/stages/{stageName}, /domainnames/{domainName} and /vpclinks/{vpcLinkId}';
    for (const arn of [
      'not-an-arn',
      `arn:aws:lambda:us-east-1:123456789012:function:f`,
      `${ARN}/apis/${apiId}/routes/abc1234`,
      `${ARN}/restapis/abc`,
      `${ARN}/apis`,
      `arn:aws:apigateway:us-east-1::apis/${apiId}`,
    ]) {
      await rejectsAws(s.client.send(new GetTagsCommand({ ResourceArn: arn })), 'BadRequestException', message(arn), 400);
      await rejectsAws(s.client.send(new TagResourceCommand({ ResourceArn: arn, Tags: { a: 'b' } })), 'BadRequestException', message(arn), 400);
    }
  });

  it('well-formed ARNs of missing resources are 404 NotFoundException; so is another region', async () => {
    const cases: [string, string][] = [
      [`${ARN}/apis/abcdefghij`, 'Invalid API identifier specified 000000000000:abcdefghij'],
      [`${ARN}/apis/abcdefghij/stages/prod`, 'Invalid API identifier specified 000000000000:abcdefghij'],
      [`${ARN}/apis/${apiId}/stages/prod`, 'Invalid stage identifier specified'],
      [`${ARN}/domainnames/missing.example.com`, 'Invalid domain name identifier specified'],
      [`${ARN}/vpclinks/nope00`, 'Invalid VpcLink identifier specified nope00'],
      [
        `arn:aws:apigateway:eu-west-1::/apis/${apiId}`,
        // Resources are regional: the caller (us-east-1) sees no API of that id in eu-west-1.
        `Invalid API identifier specified 000000000000:${apiId}`,
      ],
    ];
    for (const [arn, message] of cases) {
      await rejectsAws(s.client.send(new GetTagsCommand({ ResourceArn: arn })), 'NotFoundException', message, 404);
      await rejectsAws(s.client.send(new TagResourceCommand({ ResourceArn: arn, Tags: { a: 'b' } })), 'NotFoundException', message, 404);
      await rejectsAws(s.client.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['a'] })), 'NotFoundException', message, 404);
    }
    const upper = await s.client.send(new GetTagsCommand({ ResourceArn: `${ARN}/domainnames/TAGS.example.com` }));
    assert.equal(upper.Tags?.owner, 'dns-team', 'domain names in ARNs are case-insensitive');
  });
});
