/**
 * aws_apigatewayv2_routing_rule: the request sequence of terraform-provider-aws's acceptance test
 * TestAccAPIGatewayV2RoutingRule_v2Domain (internal/service/apigatewayv2/routing_rule_test.go, commit
 * 155779c24a3b14bd610d5d6d9f7c9e300bf9317c) and routing_rule.go (commit 11ea5700973595323cde46d4c2ab6fded0ecd249):
 * CreateRoutingRule with the whole plan (fwflex.Expand), Read by domain name + id parsed from the ARN
 * (arn:{partition}:apigateway:{region}:{account}:/domainnames/{domain}/routingrules/{id}), PutRoutingRule with
 * the whole plan on any change, DeleteRoutingRule.
 * AWS routes these rules to REST API stages; Gatehouse has no REST APIs, so an HTTP API stage stands in for the
 * aws_api_gateway_stage of the test (routing-rules.ts documents the substitution).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';
import { call, createDomainName, createStage, httpApi, ok } from './helpers.js';

const conditions = [
  { matchHeaders: { anyOf: [{ header: 'X-Example-Header', valueGlob: 'example-*' }] } },
  { matchHeaders: { anyOf: [{ header: 'X-Example-Header2', valueGlob: 'example-*' }] } },
  { matchBasePaths: { anyOf: ['example-path'] } },
];

describe('terraform aws_apigatewayv2_routing_rule', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  /** testAccRoutingRuleConfig_basicV2: a v2 domain name in ROUTING_RULE_THEN_API_MAPPING mode and a "prod" stage. */
  const base = async (domain: string) => {
    await createDomainName(s, domain, { routingMode: 'ROUTING_RULE_THEN_API_MAPPING' });
    const { apiId } = await httpApi(s);
    await createStage(s, apiId, { stageName: 'prod' });
    return { priority: 1, conditions, actions: [{ invokeApi: { apiId: apiId as string, stage: 'prod', stripBasePath: true } }] };
  };

  // TestAccAPIGatewayV2RoutingRule_v2Domain: create, read back through the ARN's two-part key (import by ARN).
  it('CreateRoutingRule; GetRoutingRule by the domain and id of its ARN', async () => {
    const plan = await base('tf-rules.example.com');
    const created = ok(await call(s, 'POST', '/v2/domainnames/tf-rules.example.com/routingrules', plan), 201);
    const m = /^arn:aws:apigateway:[a-z0-9-]+:\d{12}:\/domainnames\/(.+)\/routingrules\/(.+)$/.exec(created.routingRuleArn as string);
    assert.ok(m, `routingRuleArn ${created.routingRuleArn as string}`);
    assert.equal(m[1], 'tf-rules.example.com');
    assert.equal(m[2], created.routingRuleId);
    const rule = ok(await call(s, 'GET', `/v2/domainnames/${m[1]}/routingrules/${m[2]}`));
    assert.equal(rule.priority, 1);
    assert.deepEqual(rule.conditions, conditions);
    assert.deepEqual(rule.actions, plan.actions);
    assert.equal(rule.routingRuleArn, created.routingRuleArn);
  });

  // routingRuleResource.Update: PutRoutingRule with the whole plan when anything changed.
  it('PutRoutingRule replaces the rule', async () => {
    const plan = await base('tf-rules-put.example.com');
    const { routingRuleId } = ok(await call(s, 'POST', '/v2/domainnames/tf-rules-put.example.com/routingrules', plan), 201);
    const next = { ...plan, priority: 2, conditions: [conditions[2]] };
    ok(await call(s, 'PUT', `/v2/domainnames/tf-rules-put.example.com/routingrules/${routingRuleId}`, next));
    const rule = ok(await call(s, 'GET', `/v2/domainnames/tf-rules-put.example.com/routingrules/${routingRuleId}`));
    assert.equal(rule.priority, 2);
    assert.deepEqual(rule.conditions, [conditions[2]]);
  });

  // TestAccAPIGatewayV2RoutingRule_disappears / Delete: NotFoundException once deleted.
  it('DeleteRoutingRule, then GetRoutingRule answers NotFoundException', async () => {
    const plan = await base('tf-rules-gone.example.com');
    const { routingRuleId } = ok(await call(s, 'POST', '/v2/domainnames/tf-rules-gone.example.com/routingrules', plan), 201);
    ok(await call(s, 'DELETE', `/v2/domainnames/tf-rules-gone.example.com/routingrules/${routingRuleId}`), 204);
    const res = await call(s, 'GET', `/v2/domainnames/tf-rules-gone.example.com/routingrules/${routingRuleId}`);
    assert.equal(res.status, 404);
    assert.equal(res.type, 'NotFoundException');
  });
});
