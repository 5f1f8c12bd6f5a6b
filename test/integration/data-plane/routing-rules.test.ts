/**
 * Routing rules on custom domain names, end to end, with AWS's own examples
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-routing-rules-examples.html):
 * priority order, all conditions must hold, fall-through to API mappings, 403 when nothing matches,
 * and the routing mode deciding what is used.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RoutingRuleCondition } from '@aws-sdk/client-apigatewayv2';
import {
  CreateApiCommand,
  CreateApiMappingCommand,
  CreateDomainNameCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateRoutingRuleCommand,
  CreateStageCommand,
  DeleteRoutingRuleCommand,
  UpdateDomainNameCommand,
} from '@aws-sdk/client-apigatewayv2';
import { call, fixture, lambdaArn } from '../../helpers/data-plane.js';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';

const hello = { MatchHeaders: { AnyOf: [{ Header: 'Hello', ValueGlob: 'World' }] } };
const petShopper: RoutingRuleCondition[] = [
  { MatchHeaders: { AnyOf: [{ Header: 'Accept', ValueGlob: 'image/webp' }] } },
  { MatchHeaders: { AnyOf: [{ Header: 'Pet', ValueGlob: 'Dog-*' }] } },
  { MatchBasePaths: { AnyOf: ['PetStoreShopper'] } },
];

describe('data plane: routing rules on custom domain names', () => {
  let s: TestServer;
  let dir: string;
  const target: string[] = [];

  const api = async (n: number) => {
    const apiId = (await s.client.send(new CreateApiCommand({ Name: `target-${n}`, ProtocolType: 'HTTP' }))).ApiId as string;
    const { IntegrationId } = await s.client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('echo'), PayloadFormatVersion: '2.0' }));
    await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: '$default', Target: `integrations/${IntegrationId}` }));
    await s.client.send(
      new CreateStageCommand({
        ApiId: apiId,
        StageName: 'prod',
        AutoDeploy: true,
        AccessLogSettings: { DestinationArn: 'arn:aws:logs:us-east-1:123456789012:log-group:rr', Format: '$context.requestId $context.customDomain.routingRuleIdMatched $context.customDomain.basePathMatched' },
      }),
    );
    return apiId;
  };
  const ruleFor = async (domain: string, priority: number, conditions: RoutingRuleCondition[], n: number, stripBasePath = false) =>
    (await s.client.send(new CreateRoutingRuleCommand({ DomainName: domain, Priority: priority, Conditions: conditions, Actions: [{ InvokeApi: { ApiId: target[n], Stage: 'prod', StripBasePath: stripBasePath } }] })))
      .RoutingRuleId as string;
  /** Which target API (1-4) served the request, or the status when none did. */
  const served = async (host: string, path: string, headers: Record<string, string | string[]> = {}) => {
    const res = await call(s.gatehouse.port, '', 'GET', path, { host, headers });
    if (res.status !== 200) return { status: res.status, text: res.text };
    const event = res.json<any>();
    return { api: target.indexOf(event.requestContext.apiId as string), rawPath: event.rawPath as string, requestId: res.headers['apigw-requestid'] as string };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-rr-'));
    s = await startServer({ args: ['--function', `echo=${fixture('echo.mjs')}`, '--access-log', join(dir, 'access.log')] });
    for (const n of [1, 2, 3, 4]) target[n] = await api(n);
  });
  after(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Example 1, ROUTING_RULE_ONLY: rules in priority order, the first match wins, a rule without conditions catches the rest', async () => {
    const domain = 'petstore.example.com';
    await s.client.send(new CreateDomainNameCommand({ DomainName: domain, RoutingMode: 'ROUTING_RULE_ONLY' }));
    const abc123 = await ruleFor(domain, 10, [hello], 1);
    await ruleFor(domain, 50, petShopper, 2);
    await ruleFor(domain, 100, [], 3);
    const first = await served(domain, '/', { Hello: 'World' });
    assert.equal(first.api, 1);
    assert.equal((await served(domain, '/PetStoreShopper', { Hello: 'World', Pet: 'Dog-Bella', Accept: 'image/webp' })).api, 1, 'abc123 comes first');
    assert.equal((await served(domain, '/PetStoreShopper', { Pet: 'Dog-Bella', Accept: 'image/webp' })).api, 2, 'Pet:Dog-Bella is a string match of Pet:Dog-*');
    assert.equal((await served(domain, '/PetStoreShopper', { Pet: 'Dog-Bella' })).api, 3, 'not every header of zzz000: the catch-all');
    // $context.customDomain.routingRuleIdMatched is set, basePathMatched is not (rest-api-routing-rules-troubleshoot.html).
    await new Promise((r) => setTimeout(r, 100));
    const line = readFileSync(join(dir, 'access.log'), 'utf8').split('\n').find((l) => l.startsWith(`${String(first.requestId)} `));
    assert.equal(line, `${String(first.requestId)} ${abc123} -`);
  });

  it('Example 3, ROUTING_RULE_THEN_API_MAPPING: rules before mappings, fall-through to mappings, 403 when nothing matches', async () => {
    const domain = 'petstore.backup.example.com';
    await s.client.send(new CreateDomainNameCommand({ DomainName: domain, RoutingMode: 'ROUTING_RULE_THEN_API_MAPPING' }));
    await ruleFor(domain, 10, [hello], 1);
    await ruleFor(domain, 50, petShopper, 2);
    await s.client.send(new CreateApiMappingCommand({ DomainName: domain, ApiId: target[3], Stage: 'prod', ApiMappingKey: 'PetStoreShopper' }));
    await s.client.send(new CreateApiMappingCommand({ DomainName: domain, ApiId: target[4], Stage: 'prod', ApiMappingKey: 'PetStoreShopper/cats' }));
    assert.equal((await served(domain, '/PetStoreShopper', { Accept: 'image/webp', Pet: 'Cats' })).api, 3, 'no rule matches: the API mapping');
    assert.equal((await served(domain, '/PetStoreShopper/cats', { Hello: 'World' })).api, 1, 'rules take priority over mappings');
    assert.equal((await served(domain, '/PetStoreShopper/cats')).api, 4);
    assert.deepEqual(await served(domain, '/Admin', { Pet: 'Dog-Bella' }), { status: 403, text: '{"message":"Forbidden"}' });
  });

  it('stripBasePath removes the matched base path before route matching; without it the whole path is routed', async () => {
    const domain = 'strip.example.com';
    await s.client.send(new CreateDomainNameCommand({ DomainName: domain, RoutingMode: 'ROUTING_RULE_ONLY' }));
    await ruleFor(domain, 1, [{ MatchBasePaths: { AnyOf: ['PetStoreShopper'] } }], 1, true);
    await ruleFor(domain, 2, [{ MatchBasePaths: { AnyOf: ['Keep'] } }], 2, false);
    const stripped = await served(domain, '/PetStoreShopper/dogs');
    assert.equal(stripped.api, 1);
    assert.equal(stripped.rawPath, '/dogs', '2.0 rawPath leaves the stripped base path out, as it does an API mapping key');
    const kept = await served(domain, '/Keep/dogs');
    assert.equal(kept.api, 2);
    assert.equal(kept.rawPath, '/Keep/dogs');
    assert.deepEqual(await served(domain, '/petstoreshopper/dogs'), { status: 403, text: '{"message":"Forbidden"}' }, 'base paths are case-sensitive');
  });

  it('the routing mode decides: API_MAPPING_ONLY ignores rules, ROUTING_RULE_ONLY ignores mappings; changes apply at once', async () => {
    const domain = 'modes.example.com';
    await s.client.send(new CreateDomainNameCommand({ DomainName: domain, RoutingMode: 'ROUTING_RULE_THEN_API_MAPPING' }));
    await s.client.send(new CreateApiMappingCommand({ DomainName: domain, ApiId: target[4], Stage: 'prod', ApiMappingKey: '' }));
    const rule = await ruleFor(domain, 5, [{ MatchHeaders: { AnyOf: [{ Header: 'x-version', ValueGlob: '*' }] } }], 1);
    assert.equal((await served(domain, '/a', { 'x-version': 'anything' })).api, 1);
    assert.equal((await served(domain, '/a')).api, 4);
    await s.client.send(new UpdateDomainNameCommand({ DomainName: domain, RoutingMode: 'API_MAPPING_ONLY' }));
    assert.equal((await served(domain, '/a', { 'x-version': 'anything' })).api, 4, 'API_MAPPING_ONLY: callers cannot use routing rules');
    await s.client.send(new UpdateDomainNameCommand({ DomainName: domain, RoutingMode: 'ROUTING_RULE_ONLY' }));
    assert.equal((await served(domain, '/a', { 'x-version': 'anything' })).api, 1);
    assert.equal((await served(domain, '/a')).status, 403, 'ROUTING_RULE_ONLY: callers cannot use API mappings');
    await s.client.send(new DeleteRoutingRuleCommand({ DomainName: domain, RoutingRuleId: rule }));
    assert.equal((await served(domain, '/a', { 'x-version': 'anything' })).status, 403, 'the deleted rule routes nothing');
  });
});
