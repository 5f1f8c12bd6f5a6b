import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiCommand,
  CreateIntegrationCommand,
  CreateIntegrationResponseCommand,
  CreateModelCommand,
  CreateRouteCommand,
  CreateRouteResponseCommand,
  CreateStageCommand,
  DeleteIntegrationResponseCommand,
  DeleteRouteResponseCommand,
  GetIntegrationResponseCommand,
  GetIntegrationResponsesCommand,
  GetIntegrationsCommand,
  GetModelTemplateCommand,
  GetRouteResponseCommand,
  GetRouteResponsesCommand,
  GetRoutesCommand,
  GetStageCommand,
  UpdateIntegrationResponseCommand,
  UpdateRouteResponseCommand,
} from '@aws-sdk/client-apigatewayv2';
import { rejectsAws } from '../../helpers/assert-aws.js';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';

describe('RouteResponses, IntegrationResponses, GetModelTemplate', () => {
  let s: TestServer;
  let wsApi: string;
  let routeId: string;
  let integrationId: string;
  before(async () => {
    s = await startServer();
    wsApi = (await s.client.send(new CreateApiCommand({ Name: 'ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId as string;
    integrationId = (await s.client.send(new CreateIntegrationCommand({ ApiId: wsApi, IntegrationType: 'MOCK' }))).IntegrationId as string;
    routeId = (await s.client.send(new CreateRouteCommand({ ApiId: wsApi, RouteKey: 'echo', Target: `integrations/${integrationId}`, RouteResponseSelectionExpression: '$default' }))).RouteId as string;
    await s.client.send(new CreateModelCommand({ ApiId: wsApi, Name: 'Reply', Schema: JSON.stringify({ type: 'object', properties: { text: { type: 'string' }, count: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } } }) }));
  });
  after(() => s.close());

  it('route responses: only $default, unique, models must exist', async () => {
    const rr = await s.client.send(new CreateRouteResponseCommand({ ApiId: wsApi, RouteId: routeId, RouteResponseKey: '$default', ResponseModels: { $default: 'Reply' }, ModelSelectionExpression: '$default' }));
    assert.match(rr.RouteResponseId ?? '', /^[a-z0-9]{7}$/);
    assert.equal((await s.client.send(new GetRouteResponseCommand({ ApiId: wsApi, RouteId: routeId, RouteResponseId: rr.RouteResponseId }))).RouteResponseKey, '$default');
    await rejectsAws(s.client.send(new CreateRouteResponseCommand({ ApiId: wsApi, RouteId: routeId, RouteResponseKey: '$default' })), 'ConflictException', 'Route response with key $default already exists for this route');
    await rejectsAws(s.client.send(new CreateRouteResponseCommand({ ApiId: wsApi, RouteId: routeId, RouteResponseKey: 'other' })), 'BadRequestException', 'Invalid routeResponseKey other: only $default is supported');
    await rejectsAws(
      s.client.send(new UpdateRouteResponseCommand({ ApiId: wsApi, RouteId: routeId, RouteResponseId: rr.RouteResponseId, ResponseModels: { $default: 'Nope' } })),
      'BadRequestException',
      `Invalid model Nope in responseModels: no model of that name exists in API ${wsApi}`,
    );
    assert.equal((await s.client.send(new GetRouteResponsesCommand({ ApiId: wsApi, RouteId: routeId }))).Items?.length, 1);
    await s.client.send(new DeleteRouteResponseCommand({ ApiId: wsApi, RouteId: routeId, RouteResponseId: rr.RouteResponseId }));
    await rejectsAws(s.client.send(new GetRouteResponseCommand({ ApiId: wsApi, RouteId: routeId, RouteResponseId: rr.RouteResponseId })), 'NotFoundException', `Invalid RouteResponse identifier specified ${rr.RouteResponseId}`);
    await rejectsAws(s.client.send(new GetRouteResponsesCommand({ ApiId: wsApi, RouteId: 'nope000' })), 'NotFoundException', 'Invalid Route identifier specified nope000');
  });

  it('integration responses: $default or /regex/, unique per integration', async () => {
    const ir = await s.client.send(new CreateIntegrationResponseCommand({ ApiId: wsApi, IntegrationId: integrationId, IntegrationResponseKey: '/2\\d\\d/', ResponseTemplates: { $default: '{"ok":true}' }, TemplateSelectionExpression: '\\$default' }));
    await s.client.send(new CreateIntegrationResponseCommand({ ApiId: wsApi, IntegrationId: integrationId, IntegrationResponseKey: '$default' }));
    await rejectsAws(s.client.send(new CreateIntegrationResponseCommand({ ApiId: wsApi, IntegrationId: integrationId, IntegrationResponseKey: '$default' })), 'ConflictException', 'Integration response with key $default already exists for this integration');
    await rejectsAws(s.client.send(new CreateIntegrationResponseCommand({ ApiId: wsApi, IntegrationId: integrationId, IntegrationResponseKey: 'plain' })), 'BadRequestException', 'Invalid integrationResponseKey plain: use $default or a /regex/');
    await rejectsAws(s.client.send(new CreateIntegrationResponseCommand({ ApiId: wsApi, IntegrationId: integrationId, IntegrationResponseKey: '/(/' })), 'BadRequestException', /^Invalid integrationResponseKey \/\(\/: /);
    const updated = await s.client.send(new UpdateIntegrationResponseCommand({ ApiId: wsApi, IntegrationId: integrationId, IntegrationResponseId: ir.IntegrationResponseId, ContentHandlingStrategy: 'CONVERT_TO_TEXT' }));
    assert.equal(updated.ContentHandlingStrategy, 'CONVERT_TO_TEXT');
    assert.equal(updated.IntegrationResponseKey, '/2\\d\\d/');
    assert.equal((await s.client.send(new GetIntegrationResponsesCommand({ ApiId: wsApi, IntegrationId: integrationId }))).Items?.length, 2);
    await s.client.send(new DeleteIntegrationResponseCommand({ ApiId: wsApi, IntegrationId: integrationId, IntegrationResponseId: ir.IntegrationResponseId }));
    assert.equal((await s.client.send(new GetIntegrationResponsesCommand({ ApiId: wsApi, IntegrationId: integrationId }))).Items?.length, 1);
  });

  // No AWS refusal is known on HTTP APIs (README "Fidelity"): unknown ids are 404 (the model lists no
  // 400 for these Get/Delete operations), and route responses are accepted, stored and echoed.
  it('responses on HTTP APIs: stored and echoed, unknown ids 404', async () => {
    const http = await s.client.send(new CreateApiCommand({ Name: 'h', ProtocolType: 'HTTP', Target: 'https://example.com' }));
    const [route] = (await s.client.send(new GetRoutesCommand({ ApiId: http.ApiId }))).Items ?? [];
    const [integration] = (await s.client.send(new GetIntegrationsCommand({ ApiId: http.ApiId }))).Items ?? [];
    await rejectsAws(s.client.send(new GetRouteResponseCommand({ ApiId: http.ApiId, RouteId: route?.RouteId, RouteResponseId: 'nope000' })), 'NotFoundException', 'Invalid RouteResponse identifier specified nope000', 404);
    await rejectsAws(s.client.send(new DeleteRouteResponseCommand({ ApiId: http.ApiId, RouteId: route?.RouteId, RouteResponseId: 'nope000' })), 'NotFoundException', 'Invalid RouteResponse identifier specified nope000', 404);
    await rejectsAws(
      s.client.send(new GetIntegrationResponseCommand({ ApiId: http.ApiId, IntegrationId: integration?.IntegrationId, IntegrationResponseId: 'nope000' })),
      'NotFoundException',
      'Invalid IntegrationResponse identifier specified nope000',
      404,
    );
    await rejectsAws(
      s.client.send(new DeleteIntegrationResponseCommand({ ApiId: http.ApiId, IntegrationId: integration?.IntegrationId, IntegrationResponseId: 'nope000' })),
      'NotFoundException',
      'Invalid IntegrationResponse identifier specified nope000',
      404,
    );
    const rr = await s.client.send(new CreateRouteResponseCommand({ ApiId: http.ApiId, RouteId: route?.RouteId, RouteResponseKey: '$default' }));
    assert.equal((await s.client.send(new GetRouteResponseCommand({ ApiId: http.ApiId, RouteId: route?.RouteId, RouteResponseId: rr.RouteResponseId }))).RouteResponseKey, '$default');
  });

  it('GetModelTemplate generates a mapping template from the schema', async () => {
    const models = await s.gatehouse.store.listAll<{ modelId: string }>('model', wsApi);
    const { Value } = await s.client.send(new GetModelTemplateCommand({ ApiId: wsApi, ModelId: models[0]?.data.modelId }));
    assert.equal(
      Value,
      [
        "#set($inputRoot = $input.path('$'))",
        '{',
        '  "text" : "$inputRoot.text",',
        '  "count" : $inputRoot.count,',
        '  "tags" : [',
        '  #foreach($elem in $inputRoot.tags)',
        '    "$elem"#if($foreach.hasNext),#end',
        '  #end',
        '  ]',
        '}',
      ].join('\n'),
    );
  });

  it('WebSocket stages have the WebSocket route-setting defaults', async () => {
    await s.client.send(new CreateStageCommand({ ApiId: wsApi, StageName: 'prod', DefaultRouteSettings: { LoggingLevel: 'INFO' } }));
    const stage = await s.client.send(new GetStageCommand({ ApiId: wsApi, StageName: 'prod' }));
    assert.deepEqual(stage.DefaultRouteSettings, { DataTraceEnabled: false, DetailedMetricsEnabled: false, LoggingLevel: 'INFO' });
  });
});
