import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiCommand,
  CreateModelCommand,
  CreateRouteCommand,
  DeleteModelCommand,
  DeleteRouteCommand,
  GetModelCommand,
  GetModelsCommand,
  UpdateModelCommand,
} from '@aws-sdk/client-apigatewayv2';
import { rejectsAws } from '../../helpers/assert-aws.js';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';

describe('Models', () => {
  let s: TestServer;
  let wsApi: string;
  before(async () => {
    s = await startServer();
    wsApi = (await s.client.send(new CreateApiCommand({ Name: 'ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId as string;
  });
  after(() => s.close());

  it('CreateModel, GetModel, GetModels, UpdateModel', async () => {
    const m = await s.client.send(new CreateModelCommand({ ApiId: wsApi, Name: 'Chat', Schema: '{"type":"object"}', ContentType: 'application/json', Description: 'd' }));
    assert.match(m.ModelId ?? '', /^[a-z0-9]{7}$/);
    assert.equal((await s.client.send(new GetModelCommand({ ApiId: wsApi, ModelId: m.ModelId }))).Schema, '{"type":"object"}');
    assert.equal((await s.client.send(new GetModelsCommand({ ApiId: wsApi }))).Items?.length, 1);
    const updated = await s.client.send(new UpdateModelCommand({ ApiId: wsApi, ModelId: m.ModelId, Description: 'e' }));
    assert.equal(updated.Description, 'e');
    assert.equal(updated.Name, 'Chat');
  });

  it('CreateModel validation and conflicts', async () => {
    const http = (await s.client.send(new CreateApiCommand({ Name: 'http', ProtocolType: 'HTTP' }))).ApiId;
    await rejectsAws(s.client.send(new CreateModelCommand({ ApiId: http, Name: 'M', Schema: '{}' })), 'BadRequestException', 'Models are supported only for WebSocket APIs');
    await rejectsAws(s.client.send(new CreateModelCommand({ ApiId: wsApi, Name: 'bad-name', Schema: '{}' })), 'BadRequestException', 'Invalid model name bad-name: must be alphanumeric');
    await rejectsAws(s.client.send(new CreateModelCommand({ ApiId: wsApi, Name: 'M', Schema: '{nope' })), 'BadRequestException', /^Invalid model schema: not JSON/);
    await rejectsAws(s.client.send(new CreateModelCommand({ ApiId: wsApi, Name: 'M', Schema: '[]' })), 'BadRequestException', 'Invalid model schema: must be a JSON Schema object');
    await s.client.send(new CreateModelCommand({ ApiId: wsApi, Name: 'Dup', Schema: '{}' }));
    await rejectsAws(s.client.send(new CreateModelCommand({ ApiId: wsApi, Name: 'Dup', Schema: '{}' })), 'ConflictException', 'Model with name Dup already exists for this API', 409);
  });

  it('DeleteModel is refused while a route uses it', async () => {
    const m = await s.client.send(new CreateModelCommand({ ApiId: wsApi, Name: 'Used', Schema: '{}' }));
    const route = await s.client.send(new CreateRouteCommand({ ApiId: wsApi, RouteKey: 'send', RequestModels: { $default: 'Used' }, ModelSelectionExpression: '$request.body.kind' }));
    await rejectsAws(s.client.send(new DeleteModelCommand({ ApiId: wsApi, ModelId: m.ModelId })), 'ConflictException', "Cannot delete model 'Used', is referenced in route: send");
    await s.client.send(new DeleteRouteCommand({ ApiId: wsApi, RouteId: route.RouteId }));
    await s.client.send(new DeleteModelCommand({ ApiId: wsApi, ModelId: m.ModelId }));
    await rejectsAws(s.client.send(new GetModelCommand({ ApiId: wsApi, ModelId: m.ModelId })), 'NotFoundException', `Invalid Model identifier specified ${m.ModelId}`);
  });
});
