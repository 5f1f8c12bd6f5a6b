import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiCommand,
  CreateDomainNameCommand,
  CreateRoutingRuleCommand,
  DeleteRoutingRuleCommand,
  GetRoutingRuleCommand,
  ListRoutingRulesCommand,
  paginateListRoutingRules,
  PutRoutingRuleCommand,
  UpdateDomainNameCommand,
} from '@aws-sdk/client-apigatewayv2';
import type { CreateRoutingRuleCommandInput, RoutingRuleAction, RoutingRuleCondition } from '@aws-sdk/client-apigatewayv2';
import { rejectsAws } from '../../helpers/assert-aws.js';
import type { TestServer } from '../../helpers/server.js';
import { rawRequest, startServer } from '../../helpers/server.js';

const DOMAIN = 'rules.example.com';

describe('RoutingRules', () => {
  let s: TestServer;
  let apiId: string;
  let wsApi: string;
  let invoke: RoutingRuleAction[];

  const rule = (priority: number, conditions: RoutingRuleCondition[] = [], actions = invoke): CreateRoutingRuleCommandInput => ({
    DomainName: DOMAIN,
    Priority: priority,
    Conditions: conditions,
    Actions: actions,
  });

  before(async () => {
    s = await startServer();
    apiId = (await s.client.send(new CreateApiCommand({ Name: 'rules', ProtocolType: 'HTTP', Target: 'https://example.com' }))).ApiId as string;
    wsApi = (await s.client.send(new CreateApiCommand({ Name: 'ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId as string;
    invoke = [{ InvokeApi: { ApiId: apiId, Stage: '$default' } }];
    await s.client.send(new CreateDomainNameCommand({ DomainName: DOMAIN, RoutingMode: 'ROUTING_RULE_THEN_API_MAPPING' }));
  });
  after(async () => {
    await s.close();
  });

  it('CreateRoutingRule stores conditions and actions with AWS defaults; GetRoutingRule returns the same', async () => {
    const conditions: RoutingRuleCondition[] = [
      { MatchBasePaths: { AnyOf: ['PetStoreShopper'] } },
      { MatchHeaders: { AnyOf: [{ Header: 'x-version', ValueGlob: 'beta*' }] } },
      { MatchHeaders: { AnyOf: [{ Header: 'Hello', ValueGlob: '*World*' }, { Header: 'x-tier', ValueGlob: '*gold' }] } },
    ];
    const created = await s.client.send(new CreateRoutingRuleCommand(rule(50, conditions)));
    const id = created.RoutingRuleId as string;
    assert.match(id, /^[a-z0-9]{10}$/);
    const got = await s.client.send(new GetRoutingRuleCommand({ DomainName: DOMAIN, RoutingRuleId: id }));
    for (const r of [created, got]) {
      const { $metadata: _m, ...body } = r;
      assert.deepEqual(body, {
        RoutingRuleId: id,
        RoutingRuleArn: `arn:aws:apigateway:us-east-1:000000000000:/domainnames/${DOMAIN}/routingrules/${id}`,
        Priority: 50,
        Conditions: conditions,
        Actions: [{ InvokeApi: { ApiId: apiId, Stage: '$default', StripBasePath: false } }],
      });
    }
    const catchAll = await s.client.send(new CreateRoutingRuleCommand(rule(1000000, [], [{ InvokeApi: { ApiId: apiId, Stage: '$default', StripBasePath: true } }])));
    assert.deepEqual(catchAll.Conditions, [], 'a rule without conditions is a catch-all');
    assert.equal(catchAll.Actions?.[0]?.InvokeApi?.StripBasePath, true);
  });

  it('CreateRoutingRule validates conditions', async () => {
    const cases: [RoutingRuleCondition[], string][] = [
      [[{}], 'Each routing rule condition must have exactly one of matchBasePaths and matchHeaders'],
      [
        [{ MatchBasePaths: { AnyOf: ['a'] }, MatchHeaders: { AnyOf: [{ Header: 'h', ValueGlob: 'v' }] } }],
        'Each routing rule condition must have exactly one of matchBasePaths and matchHeaders',
      ],
      [[{ MatchBasePaths: { AnyOf: [] } }], 'matchBasePaths.anyOf must name at least one base path'],
      [[{ MatchHeaders: { AnyOf: [] } }], 'matchHeaders.anyOf must name at least one header'],
      [[{ MatchBasePaths: { AnyOf: ['/users'] } }], "Invalid base path /users: use at most 300 letters, digits and $-_.+!*'() in levels separated by '/'"],
      [[{ MatchBasePaths: { AnyOf: ['a'.repeat(301)] } }], `Invalid base path ${'a'.repeat(301)}: use at most 300 letters, digits and $-_.+!*'() in levels separated by '/'`],
      [[{ MatchHeaders: { AnyOf: [{ Header: 'bad header', ValueGlob: 'v' }] } }], 'Invalid header name bad header in a routing rule condition'],
      [
        [{ MatchHeaders: { AnyOf: [{ Header: 'x-version', ValueGlob: 'a*b' }] } }],
        "Invalid valueGlob a*b for header x-version: '*' is allowed only at the start and/or the end (prefix*, *suffix, *contains*)",
      ],
      [
        [{ MatchHeaders: { AnyOf: [{ Header: 'x-version', ValueGlob: '**' }] } }],
        "Invalid valueGlob ** for header x-version: '*' is allowed only at the start and/or the end (prefix*, *suffix, *contains*)",
      ],
      // rest-api-routing-rules.html, Restrictions: "The following headers aren't supported as conditions".
      [[{ MatchHeaders: { AnyOf: [{ Header: 'Authorization', ValueGlob: 'Bearer*' }] } }], 'Header Authorization is not supported in routing rule conditions'],
      [[{ MatchHeaders: { AnyOf: [{ Header: 'X-Amz-Date', ValueGlob: '2024*' }] } }], 'Header X-Amz-Date is not supported in routing rule conditions'],
      [
        [{ MatchBasePaths: { AnyOf: ['a'] } }, { MatchBasePaths: { AnyOf: ['b'] } }],
        'A routing rule can have at most 2 matchHeaders conditions and 1 matchBasePaths condition',
      ],
      [
        Array.from({ length: 3 }, (_, i) => ({ MatchHeaders: { AnyOf: [{ Header: `h${i}`, ValueGlob: 'v' }] } })),
        'A routing rule can have at most 2 matchHeaders conditions and 1 matchBasePaths condition',
      ],
    ];
    for (const [conditions, message] of cases) {
      await rejectsAws(s.client.send(new CreateRoutingRuleCommand(rule(7, conditions))), 'BadRequestException', message, 400);
    }
  });

  it('CreateRoutingRule validates actions and priority', async () => {
    await rejectsAws(s.client.send(new CreateRoutingRuleCommand(rule(7, [], []))), 'BadRequestException', 'A routing rule must have exactly one action');
    await rejectsAws(s.client.send(new CreateRoutingRuleCommand(rule(7, [], [...invoke, ...invoke]))), 'BadRequestException', 'A routing rule must have exactly one action');
    await rejectsAws(
      s.client.send(new CreateRoutingRuleCommand(rule(7, [], [{ InvokeApi: { ApiId: 'abcdefghij', Stage: '$default' } }]))),
      'NotFoundException',
      'Invalid API identifier specified 000000000000:abcdefghij',
      404,
    );
    await rejectsAws(
      s.client.send(new CreateRoutingRuleCommand(rule(7, [], [{ InvokeApi: { ApiId: apiId, Stage: 'prod' } }]))),
      'NotFoundException',
      'Invalid stage identifier specified',
      404,
    );
    await rejectsAws(
      s.client.send(new CreateRoutingRuleCommand(rule(7, [], [{ InvokeApi: { ApiId: wsApi, Stage: '$default' } }]))),
      'BadRequestException',
      `Routing rules can't invoke WebSocket APIs; API ${wsApi} is a WebSocket API`,
    );
    await rejectsAws(
      s.client.send(new CreateRoutingRuleCommand(rule(0))),
      'BadRequestException',
      "1 validation error detected: Value '0' at 'priority' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    await rejectsAws(
      s.client.send(new CreateRoutingRuleCommand(rule(1000001))),
      'BadRequestException',
      "1 validation error detected: Value '1000001' at 'priority' failed to satisfy constraint: Member must have value less than or equal to 1000000",
    );
    await rejectsAws(
      s.client.send(new CreateRoutingRuleCommand({ DomainName: DOMAIN, Priority: 7, Conditions: [] } as unknown as CreateRoutingRuleCommandInput)),
      'BadRequestException',
      "1 validation error detected: Value null at 'actions' failed to satisfy constraint: Member must not be null",
    );
  });

  it('CreateRoutingRule duplicate priority is 409; unknown domain and a domainNameId are 404', async () => {
    await s.client.send(new CreateRoutingRuleCommand(rule(100)));
    await rejectsAws(s.client.send(new CreateRoutingRuleCommand(rule(100))), 'ConflictException', 'A routing rule with priority 100 already exists for this domain name', 409);
    await rejectsAws(
      s.client.send(new CreateRoutingRuleCommand({ ...rule(8), DomainName: 'nope.example.com' })),
      'NotFoundException',
      'Invalid domain name identifier specified',
      404,
    );
    await rejectsAws(
      s.client.send(new CreateRoutingRuleCommand({ ...rule(8), DomainNameId: 'abcd1234' })),
      'NotFoundException',
      `Invalid domain name identifier specified`,
      404,
    );
  });

  it('CreateRoutingRule of an HTTP API needs the TLS_1_2 policy, and UpdateDomainName keeps it while a rule targets one', async () => {
    await s.client.send(new CreateDomainNameCommand({ DomainName: 'rules-tls10.example.com', DomainNameConfigurations: [{ SecurityPolicy: 'TLS_1_0' }] }));
    await rejectsAws(
      s.client.send(new CreateRoutingRuleCommand({ ...rule(1), DomainName: 'rules-tls10.example.com' })),
      'BadRequestException',
      'HTTP APIs can be mapped only to domain names with the TLS_1_2 security policy',
    );
    await rejectsAws(
      s.client.send(new UpdateDomainNameCommand({ DomainName: DOMAIN, DomainNameConfigurations: [{ SecurityPolicy: 'TLS_1_0' }] })),
      'BadRequestException',
      `HTTP APIs can be mapped only to domain names with the TLS_1_2 security policy; API ${apiId} is mapped to ${DOMAIN}`,
    );
  });

  it('ListRoutingRules lists by priority and pages with maxResults (1-100) and nextToken', async () => {
    await s.client.send(new CreateRoutingRuleCommand(rule(30)));
    await s.client.send(new CreateRoutingRuleCommand(rule(20)));
    await s.client.send(new CreateRoutingRuleCommand(rule(40)));
    const all = await s.client.send(new ListRoutingRulesCommand({ DomainName: DOMAIN }));
    const priorities = all.RoutingRules?.map((r) => r.Priority);
    assert.deepEqual(priorities, [...(priorities as number[])].sort((a, b) => a - b));
    assert.deepEqual(priorities, [20, 30, 40, 50, 100, 1000000]);
    assert.equal(all.NextToken, undefined);
    const first = await s.client.send(new ListRoutingRulesCommand({ DomainName: DOMAIN, MaxResults: 2 }));
    assert.deepEqual(first.RoutingRules?.map((r) => r.Priority), [20, 30]);
    assert.ok(first.NextToken);
    const second = await s.client.send(new ListRoutingRulesCommand({ DomainName: DOMAIN, MaxResults: 2, NextToken: first.NextToken }));
    assert.deepEqual(second.RoutingRules?.map((r) => r.Priority), [40, 50]);
    const paged: number[] = [];
    for await (const page of paginateListRoutingRules({ client: s.client, pageSize: 4 }, { DomainName: DOMAIN })) {
      paged.push(...(page.RoutingRules ?? []).map((r) => r.Priority as number));
    }
    assert.deepEqual(paged, priorities, 'the SDK paginator walks every page');
    await rejectsAws(
      s.client.send(new ListRoutingRulesCommand({ DomainName: DOMAIN, MaxResults: 101 })),
      'BadRequestException',
      "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
    );
    await rejectsAws(s.client.send(new ListRoutingRulesCommand({ DomainName: DOMAIN, NextToken: 'garbage' })), 'BadRequestException', 'Invalid nextToken');
    await rejectsAws(s.client.send(new ListRoutingRulesCommand({ DomainName: 'nope.example.com' })), 'NotFoundException', 'Invalid domain name identifier specified');
    const raw = await rawRequest(s.url, 'GET', `/v2/domainnames/${DOMAIN}/routingrules?maxResults=1`);
    assert.deepEqual(Object.keys(raw.json as object).sort(), ['nextToken', 'routingRules'], 'the output member is routingRules, not items');
  });

  it('PutRoutingRule replaces the whole rule and keeps its id (200)', async () => {
    const created = await s.client.send(
      new CreateRoutingRuleCommand(rule(60, [{ MatchHeaders: { AnyOf: [{ Header: 'x-a', ValueGlob: 'a' }] } }], [{ InvokeApi: { ApiId: apiId, Stage: '$default', StripBasePath: true } }])),
    );
    const id = created.RoutingRuleId as string;
    const put = await s.client.send(
      new PutRoutingRuleCommand({ DomainName: DOMAIN, RoutingRuleId: id, Priority: 65, Conditions: [{ MatchBasePaths: { AnyOf: ['orders/v2'] } }], Actions: invoke }),
    );
    assert.equal(put.$metadata.httpStatusCode, 200);
    const got = await s.client.send(new GetRoutingRuleCommand({ DomainName: DOMAIN, RoutingRuleId: id }));
    for (const r of [put, got]) {
      assert.equal(r.RoutingRuleId, id);
      assert.equal(r.RoutingRuleArn, created.RoutingRuleArn);
      assert.equal(r.Priority, 65);
      assert.deepEqual(r.Conditions, [{ MatchBasePaths: { AnyOf: ['orders/v2'] } }]);
      assert.deepEqual(r.Actions, [{ InvokeApi: { ApiId: apiId, Stage: '$default', StripBasePath: false } }], 'PUT replaces: stripBasePath back to its default');
    }
    const same = await s.client.send(new PutRoutingRuleCommand({ DomainName: DOMAIN, RoutingRuleId: id, Priority: 65, Conditions: [], Actions: invoke }));
    assert.equal(same.Priority, 65, 'a rule may keep its own priority');
    await rejectsAws(
      s.client.send(new PutRoutingRuleCommand({ DomainName: DOMAIN, RoutingRuleId: id, Priority: 100, Conditions: [], Actions: invoke })),
      'ConflictException',
      'A routing rule with priority 100 already exists for this domain name',
    );
    await rejectsAws(
      s.client.send(new PutRoutingRuleCommand({ DomainName: DOMAIN, RoutingRuleId: id, Priority: 66, Conditions: [{}], Actions: invoke })),
      'BadRequestException',
      'Each routing rule condition must have exactly one of matchBasePaths and matchHeaders',
    );
    await rejectsAws(
      s.client.send(new PutRoutingRuleCommand({ DomainName: DOMAIN, RoutingRuleId: 'nope000000', Priority: 66, Conditions: [], Actions: invoke })),
      'NotFoundException',
      'Invalid RoutingRule identifier specified nope000000',
      404,
    );
    assert.equal((await s.client.send(new GetRoutingRuleCommand({ DomainName: DOMAIN, RoutingRuleId: id }))).Priority, 65, 'nothing written by a rejected PUT');
  });

  it('DeleteRoutingRule frees its priority; Get/Delete afterwards are 404', async () => {
    const created = await s.client.send(new CreateRoutingRuleCommand(rule(70)));
    const id = created.RoutingRuleId as string;
    await s.client.send(new DeleteRoutingRuleCommand({ DomainName: DOMAIN, RoutingRuleId: id }));
    const message = `Invalid RoutingRule identifier specified ${id}`;
    await rejectsAws(s.client.send(new GetRoutingRuleCommand({ DomainName: DOMAIN, RoutingRuleId: id })), 'NotFoundException', message, 404);
    await rejectsAws(s.client.send(new DeleteRoutingRuleCommand({ DomainName: DOMAIN, RoutingRuleId: id })), 'NotFoundException', message, 404);
    await rejectsAws(
      s.client.send(new GetRoutingRuleCommand({ DomainName: 'nope.example.com', RoutingRuleId: id })),
      'NotFoundException',
      'Invalid domain name identifier specified',
    );
    assert.equal((await s.client.send(new CreateRoutingRuleCommand(rule(70)))).Priority, 70, 'the priority is free again');
  });
});
