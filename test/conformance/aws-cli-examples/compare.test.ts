import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CompareOptions } from './compare.js';
import { compareOutputs, latestRecordedDate } from './compare.js';

const opts = (known: string[] = [], recordedAt: Date | undefined = new Date('2020-04-08T00:00:00Z')): CompareOptions => ({ knownIds: new Set(known), recordedAt });
const paths = (aws: unknown, ours: unknown, o = opts()) => compareOutputs(aws, ours, o).differences.map((d) => `${d.kind} ${d.path}`);

describe('compareOutputs', () => {
  it('ignores generated ids unless the example names an existing resource', () => {
    assert.deepEqual(paths({ ApiId: 'a1b2c3d4' }, { ApiId: 'zz9' }), []);
    assert.deepEqual(paths({ ApiId: 'real1' }, { ApiId: 'real2' }, opts(['real1'])), ['value ApiId']);
    assert.deepEqual(paths({ ApiId: 'real1' }, { ApiId: 'real1' }, opts(['real1'])), []);
    assert.deepEqual(paths({ ApiId: 'a1b2c3d4' }, { ApiId: '' }), ['value ApiId']);
  });

  it('ignores timestamps but not their presence or form', () => {
    assert.deepEqual(paths({ CreatedDate: '2020-04-08T19:05:45+00:00' }, { CreatedDate: '2026-01-01T00:00:00Z' }), []);
    assert.deepEqual(paths({ CreatedDate: '2020-04-08T19:05:45Z' }, { CreatedDate: 1586372745 }), ['value CreatedDate']);
    assert.deepEqual(paths({ CreatedDate: '2020-04-08T19:05:45Z' }, {}), ['missing CreatedDate']);
  });

  it('compares the endpoint without its host, port or TLS, but keeps HTTP apart from WebSocket', () => {
    assert.deepEqual(paths({ ApiEndpoint: 'https://a.execute-api.us-west-2.amazonaws.com' }, { ApiEndpoint: 'http://b.execute-api.localhost:8080' }), []);
    assert.deepEqual(paths({ ApiEndpoint: 'wss://a.execute-api.us-west-2.amazonaws.com' }, { ApiEndpoint: 'ws://b.execute-api.localhost:8080' }), []);
    assert.deepEqual(paths({ ApiEndpoint: 'wss://a.execute-api.us-west-2.amazonaws.com' }, { ApiEndpoint: 'http://b.localhost:8080' }), ['value ApiEndpoint']);
  });

  it('reports members missing on either side, and every other value', () => {
    assert.deepEqual(paths({ Name: 'a', Tags: {} }, { Name: 'b', AutoDeploy: false }), ['value Name', 'missing Tags', 'extra AutoDeploy']);
    assert.deepEqual(paths({ RouteSettings: { 'GET /pets': { ThrottlingRateLimit: 2000.0 } } }, { RouteSettings: { 'GET /pets': { ThrottlingRateLimit: 2000 } } }), []);
    assert.deepEqual(paths({ SubnetIds: ['a', 'b'] }, { SubnetIds: ['b', 'a'] }), ['value SubnetIds[0]', 'value SubnetIds[1]']);
  });

  it('masks ids inside targets, status messages and generated ARNs only where the example names no resource', () => {
    assert.deepEqual(paths({ Target: 'integrations/a1b2c6' }, { Target: 'integrations/x9' }), []);
    assert.deepEqual(paths({ Target: 'integrations/real1' }, { Target: 'integrations/x9' }, opts(['real1'])), ['value Target']);
    assert.deepEqual(paths({ Target: 'integrations/a1b2c6' }, { Target: 'x9' }), ['value Target']);
    const arn = 'arn:aws:apigateway:us-east-2:123456789012:/domainnames/regional.example.com/routingrules/aaa111';
    assert.deepEqual(paths({ RoutingRuleArn: arn }, { RoutingRuleArn: 'arn:aws:apigateway:us-east-1:000000000000:/domainnames/regional.example.com/routingrules/q1' }), []);
    assert.deepEqual(paths({ RoutingRuleArn: arn }, { RoutingRuleArn: 'arn:aws:apigateway:us-east-1:000000000000:/domainnames/other.example.com/routingrules/q1' }), ['value RoutingRuleArn']);
    const message = (id: string) => ({ LastDeploymentStatusMessage: `Successfully deployed stage with deployment ID '${id}'` });
    assert.deepEqual(paths(message('real1'), message('real2'), opts(['real1'])), ['value LastDeploymentStatusMessage']);
  });

  it('pairs list items regardless of order', () => {
    const aws = { Items: [{ Name: 'a', N: 1 }, { Name: 'b', N: 2 }] };
    assert.deepEqual(paths(aws, { Items: [{ Name: 'b', N: 2 }, { Name: 'a', N: 1 }] }), []);
    assert.deepEqual(paths(aws, { Items: [{ Name: 'b', N: 2 }, { Name: 'a', N: 3 }] }), ['value Items[0].N']);
    assert.deepEqual(paths(aws, { Items: [{ Name: 'b', N: 2 }] }), ['missing Items[0]']);
    assert.deepEqual(paths({ Items: [] }, { Items: [{ Name: 'x' }] }), ['extra Items[+]']);
  });

  it('tolerates members AWS added after the recording, only with their default values', () => {
    const r = compareOutputs({ Name: 'a' }, { Name: 'a', DisableExecuteApiEndpoint: false, IpAddressType: 'ipv4' }, opts());
    assert.deepEqual([r.differences, r.tolerated.map((d) => d.path)], [[], ['DisableExecuteApiEndpoint', 'IpAddressType']]);
    assert.deepEqual(paths({ Name: 'a' }, { Name: 'a', DisableExecuteApiEndpoint: true }), ['extra DisableExecuteApiEndpoint']);
    assert.deepEqual(paths({ Name: 'a' }, { Name: 'a', DisableExecuteApiEndpoint: false }, opts([], new Date('2021-01-01'))), ['extra DisableExecuteApiEndpoint']);
    assert.deepEqual(paths({ DomainName: 'a.example.com' }, { DomainName: 'a.example.com', DomainNameArn: 'arn:aws:apigateway:us-east-1::/domainnames/b.example.com' }), [
      'extra DomainNameArn',
    ]);
    assert.deepEqual(paths({ Name: 'a', IpAddressType: 'ipv4' }, { Name: 'a' }), ['missing IpAddressType']);
  });
});

describe('latestRecordedDate', () => {
  it('is the newest *Date member of any output', () => {
    const outputs = [{ CreatedDate: '2020-04-06T23:23:46Z', Items: [{ LastUpdatedDate: '2020-04-08T22:23:17+00:00' }] }, undefined];
    assert.equal(latestRecordedDate(outputs)?.toISOString(), '2020-04-08T22:23:17.000Z');
    assert.equal(latestRecordedDate([{ Name: 'x' }]), undefined);
  });
});
