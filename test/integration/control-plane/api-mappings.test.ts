import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiCommand,
  CreateApiMappingCommand,
  CreateDomainNameCommand,
  DeleteApiMappingCommand,
  GetApiMappingCommand,
  GetApiMappingsCommand,
  UpdateApiMappingCommand,
  UpdateDomainNameCommand,
  DeleteApiCommand,
} from '@aws-sdk/client-apigatewayv2';
import type { UpdateApiMappingCommandInput } from '@aws-sdk/client-apigatewayv2';
import { rejectsAws } from '../../helpers/assert-aws.js';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';

const DOMAIN = 'mappings.example.com';

describe('ApiMappings', () => {
  let s: TestServer;
  let httpApi: string;
  let otherHttpApi: string;
  let wsApi: string;

  /** Inserts a stage record directly, as CreateStage would store it. */
  async function addStage(apiId: string, stageName: string): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const data = { stageName, autoDeploy: false, defaultRouteSettings: {}, routeSettings: {}, stageVariables: {}, tags: {}, createdDate: now, lastUpdatedDate: now };
    await s.gatehouse.store.apply([{ op: 'insert', kind: 'stage', scope: apiId, id: stageName, data }]);
  }

  before(async () => {
    s = await startServer();
    httpApi = (await s.client.send(new CreateApiCommand({ Name: 'http', ProtocolType: 'HTTP', Target: 'https://example.com' }))).ApiId as string;
    otherHttpApi = (await s.client.send(new CreateApiCommand({ Name: 'other', ProtocolType: 'HTTP' }))).ApiId as string;
    await addStage(otherHttpApi, 'prod');
    wsApi = (await s.client.send(new CreateApiCommand({ Name: 'ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId as string;
    await addStage(wsApi, 'live');
    await s.client.send(new CreateDomainNameCommand({ DomainName: DOMAIN }));
  });
  after(async () => {
    await s.close();
  });

  it('CreateApiMapping root and multi-level mappings; GetApiMapping returns the same', async () => {
    const root = await s.client.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: httpApi, Stage: '$default' }));
    assert.match(String(root.ApiMappingId), /^[a-z0-9]{10}$/);
    assert.equal(root.ApiMappingKey, '');
    assert.equal(root.ApiId, httpApi);
    assert.equal(root.Stage, '$default');
    const multi = await s.client.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: otherHttpApi, Stage: 'prod', ApiMappingKey: "orders/v1/it$-_.+!*'()ems" }));
    const got = await s.client.send(new GetApiMappingCommand({ DomainName: 'Mappings.Example.com', ApiMappingId: multi.ApiMappingId }));
    const { $metadata: _a, ...created } = multi;
    const { $metadata: _b, ...fetched } = got;
    assert.deepEqual(fetched, created);
    assert.deepEqual(created, { ApiId: otherHttpApi, ApiMappingId: multi.ApiMappingId, ApiMappingKey: "orders/v1/it$-_.+!*'()ems", Stage: 'prod' });
  });

  it('CreateApiMapping 404s: unknown domain, API and stage', async () => {
    await rejectsAws(
      s.client.send(new CreateApiMappingCommand({ DomainName: 'nope.example.com', ApiId: httpApi, Stage: '$default' })),
      'NotFoundException',
      'Invalid domain name identifier specified',
      404,
    );
    await rejectsAws(
      s.client.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: 'abcdefghij', Stage: '$default', ApiMappingKey: 'x' })),
      'NotFoundException',
      'Invalid API identifier specified 000000000000:abcdefghij',
      404,
    );
    await rejectsAws(
      s.client.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: httpApi, Stage: 'prod', ApiMappingKey: 'x' })),
      'NotFoundException',
      'Invalid stage identifier specified',
      404,
    );
  });

  it('CreateApiMapping rejects malformed mapping keys', async () => {
    const syntax = (key: string) =>
      `Invalid API mapping key ${key}: use letters, digits and $-_.+!*'() in levels separated by '/', with no leading, trailing or empty levels`;
    for (const key of ['/v1', 'v1/', 'v1//items', 'v 1', 'v1?x', 'ü', '/']) {
      await rejectsAws(s.client.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: httpApi, Stage: '$default', ApiMappingKey: key })), 'BadRequestException', syntax(key), 400);
    }
    const long = 'a'.repeat(301);
    await rejectsAws(
      s.client.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: httpApi, Stage: '$default', ApiMappingKey: long })),
      'BadRequestException',
      `Invalid API mapping key ${long}: must be at most 300 characters`,
    );
    const ok = await s.client.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: httpApi, Stage: '$default', ApiMappingKey: 'a'.repeat(300) }));
    assert.equal(ok.ApiMappingKey?.length, 300);
  });

  it('CreateApiMapping duplicate key is 409; one API may have several keys', async () => {
    await s.client.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: httpApi, Stage: '$default', ApiMappingKey: 'pets' }));
    await s.client.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: httpApi, Stage: '$default', ApiMappingKey: 'pets/v2' }));
    await rejectsAws(
      s.client.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: otherHttpApi, Stage: 'prod', ApiMappingKey: 'pets' })),
      'ConflictException',
      'API mapping with key pets already exists for this domain name',
      409,
    );
    await rejectsAws(
      s.client.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: otherHttpApi, Stage: 'prod' })),
      'ConflictException',
      'API mapping with key (none) already exists for this domain name',
      409,
    );
  });

  it('CreateApiMapping twice at once gives one 201 and one 409', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 2 }, () => s.client.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: httpApi, Stage: '$default', ApiMappingKey: 'race' }))),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.equal(((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as Error).name, 'ConflictException');
  });

  it('CreateApiMapping keeps WebSocket and HTTP APIs on separate domain names', async () => {
    await rejectsAws(
      s.client.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: wsApi, Stage: 'live', ApiMappingKey: 'chat' })),
      'BadRequestException',
      `Cannot map a WebSocket API to ${DOMAIN}: it already has mappings to HTTP APIs, and WebSocket APIs cannot share a domain name with HTTP APIs`,
      400,
    );
    await s.client.send(new CreateDomainNameCommand({ DomainName: 'ws.example.com' }));
    const chat = await s.client.send(new CreateApiMappingCommand({ DomainName: 'ws.example.com', ApiId: wsApi, Stage: 'live', ApiMappingKey: 'chat' }));
    assert.equal(chat.ApiMappingKey, 'chat');
    await rejectsAws(
      s.client.send(new CreateApiMappingCommand({ DomainName: 'ws.example.com', ApiId: httpApi, Stage: '$default' })),
      'BadRequestException',
      'Cannot map an HTTP API to ws.example.com: it already has mappings to WebSocket APIs, and WebSocket APIs cannot share a domain name with HTTP APIs',
    );
    await rejectsAws(
      s.client.send(new CreateApiMappingCommand({ DomainName: 'ws.example.com', ApiId: wsApi, Stage: 'live', ApiMappingKey: 'chat/v2' })),
      'BadRequestException',
      'Invalid API mapping key chat/v2: multi-level API mappings are not supported for WebSocket APIs',
    );
  });

  it('CreateApiMapping of an HTTP API needs the TLS_1_2 policy, and UpdateDomainName keeps it while one is mapped', async () => {
    await s.client.send(new CreateDomainNameCommand({ DomainName: 'tls10.example.com', DomainNameConfigurations: [{ SecurityPolicy: 'TLS_1_0' }] }));
    await rejectsAws(
      s.client.send(new CreateApiMappingCommand({ DomainName: 'tls10.example.com', ApiId: httpApi, Stage: '$default' })),
      'BadRequestException',
      'HTTP APIs can be mapped only to domain names with the TLS_1_2 security policy',
    );
    const ws = await s.client.send(new CreateApiMappingCommand({ DomainName: 'tls10.example.com', ApiId: wsApi, Stage: 'live' }));
    assert.equal(ws.ApiId, wsApi, 'WebSocket APIs may use TLS 1.0');
    await rejectsAws(
      s.client.send(new UpdateDomainNameCommand({ DomainName: DOMAIN, DomainNameConfigurations: [{ SecurityPolicy: 'TLS_1_0' }] })),
      'BadRequestException',
      `HTTP APIs can be mapped only to domain names with the TLS_1_2 security policy; API ${httpApi} is mapped to ${DOMAIN}`,
    );
  });

  it('GetApiMappings pages with maxResults and nextToken; unknown domain is 404', async () => {
    const all = await s.client.send(new GetApiMappingsCommand({ DomainName: DOMAIN }));
    assert.ok((all.Items?.length ?? 0) >= 4);
    assert.equal(all.NextToken, undefined);
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await s.client.send(new GetApiMappingsCommand({ DomainName: DOMAIN, MaxResults: '3', ...(token ? { NextToken: token } : {}) }));
      assert.ok((page.Items?.length ?? 0) <= 3);
      ids.push(...(page.Items ?? []).map((m) => m.ApiMappingId as string));
      token = page.NextToken;
    } while (token);
    assert.deepEqual(ids, all.Items?.map((m) => m.ApiMappingId));
    await rejectsAws(s.client.send(new GetApiMappingsCommand({ DomainName: 'nope.example.com' })), 'NotFoundException', 'Invalid domain name identifier specified');
    await rejectsAws(s.client.send(new GetApiMappingsCommand({ DomainName: DOMAIN, MaxResults: '0' })), 'BadRequestException', "Invalid maxResults '0': must be a positive integer");
  });

  it('UpdateApiMapping changes API, stage and key with the same checks as create', async () => {
    const m = await s.client.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: httpApi, Stage: '$default', ApiMappingKey: 'before' }));
    const id = m.ApiMappingId as string;
    const moved = await s.client.send(new UpdateApiMappingCommand({ DomainName: DOMAIN, ApiMappingId: id, ApiId: otherHttpApi, Stage: 'prod', ApiMappingKey: 'after/v1' }));
    assert.deepEqual({ ...moved, $metadata: undefined }, { $metadata: undefined, ApiId: otherHttpApi, ApiMappingId: id, ApiMappingKey: 'after/v1', Stage: 'prod' });
    const same = await s.client.send(new UpdateApiMappingCommand({ DomainName: DOMAIN, ApiMappingId: id, ApiId: otherHttpApi }));
    assert.equal(same.ApiMappingKey, 'after/v1', 'members not in the update are kept');
    assert.equal(same.Stage, 'prod');
    const cases: [UpdateApiMappingCommandInput, string, string][] = [
      [{ DomainName: DOMAIN, ApiMappingId: id, ApiId: httpApi }, 'NotFoundException', 'Invalid stage identifier specified'],
      [{ DomainName: DOMAIN, ApiMappingId: id, ApiId: otherHttpApi, ApiMappingKey: 'pets' }, 'ConflictException', 'API mapping with key pets already exists for this domain name'],
      [{ DomainName: DOMAIN, ApiMappingId: id, ApiId: otherHttpApi, ApiMappingKey: 'bad/' }, 'BadRequestException', "Invalid API mapping key bad/: use letters, digits and $-_.+!*'() in levels separated by '/', with no leading, trailing or empty levels"],
      [{ DomainName: DOMAIN, ApiMappingId: id, ApiId: wsApi, Stage: 'live', ApiMappingKey: 'chat2' }, 'BadRequestException', `Cannot map a WebSocket API to ${DOMAIN}: it already has mappings to HTTP APIs, and WebSocket APIs cannot share a domain name with HTTP APIs`],
      [{ DomainName: DOMAIN, ApiMappingId: id, ApiId: 'abcdefghij' }, 'NotFoundException', 'Invalid API identifier specified 000000000000:abcdefghij'],
      [{ DomainName: DOMAIN, ApiMappingId: 'nope000000', ApiId: httpApi }, 'NotFoundException', 'Invalid ApiMapping identifier specified nope000000'],
      [{ DomainName: 'nope.example.com', ApiMappingId: id, ApiId: httpApi }, 'NotFoundException', 'Invalid domain name identifier specified'],
      [
        { DomainName: DOMAIN, ApiMappingId: id, Stage: 'prod' } as UpdateApiMappingCommandInput,
        'BadRequestException',
        "1 validation error detected: Value null at 'apiId' failed to satisfy constraint: Member must not be null",
      ],
    ];
    for (const [request, name, message] of cases) await rejectsAws(s.client.send(new UpdateApiMappingCommand(request)), name, message);
    const got = await s.client.send(new GetApiMappingCommand({ DomainName: DOMAIN, ApiMappingId: id }));
    assert.equal(got.ApiMappingKey, 'after/v1', 'nothing written by a rejected update');
  });

  it('DeleteApiMapping, then Get/Delete of the mapping are 404', async () => {
    const m = await s.client.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: httpApi, Stage: '$default', ApiMappingKey: 'gone' }));
    await s.client.send(new DeleteApiMappingCommand({ DomainName: DOMAIN, ApiMappingId: m.ApiMappingId }));
    const message = `Invalid ApiMapping identifier specified ${m.ApiMappingId as string}`;
    await rejectsAws(s.client.send(new GetApiMappingCommand({ DomainName: DOMAIN, ApiMappingId: m.ApiMappingId })), 'NotFoundException', message, 404);
    await rejectsAws(s.client.send(new DeleteApiMappingCommand({ DomainName: DOMAIN, ApiMappingId: m.ApiMappingId })), 'NotFoundException', message, 404);
    await rejectsAws(
      s.client.send(new DeleteApiMappingCommand({ DomainName: 'nope.example.com', ApiMappingId: m.ApiMappingId })),
      'NotFoundException',
      'Invalid domain name identifier specified',
    );
    const again = await s.client.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: otherHttpApi, Stage: 'prod', ApiMappingKey: 'gone' }));
    assert.equal(again.ApiMappingKey, 'gone', 'the key is free again');
  });

  it('DeleteApi is refused while a custom domain maps the API (AWS wording), and succeeds once unmapped', async () => {
    const apiId = (await s.client.send(new CreateApiCommand({ Name: 'mapped', ProtocolType: 'HTTP', Target: 'https://example.com' }))).ApiId as string;
    await s.client.send(new CreateDomainNameCommand({ DomainName: 'delete-guard.example.com' }));
    const mapping = await s.client.send(new CreateApiMappingCommand({ DomainName: 'delete-guard.example.com', ApiId: apiId, Stage: '$default', ApiMappingKey: 'm' }));
    await rejectsAws(
      s.client.send(new DeleteApiCommand({ ApiId: apiId })),
      'BadRequestException',
      `Deleting API ${apiId} failed. Please remove all API mappings for the API from your custom domain names.`,
      400,
    );
    assert.ok(await s.gatehouse.store.getInAnyScope('api', apiId), 'nothing was deleted');
    await s.client.send(new DeleteApiMappingCommand({ DomainName: 'delete-guard.example.com', ApiMappingId: mapping.ApiMappingId }));
    await s.client.send(new DeleteApiCommand({ ApiId: apiId }));
    assert.equal(await s.gatehouse.store.getInAnyScope('api', apiId), undefined);
  });
});
