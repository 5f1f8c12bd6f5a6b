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

  it('accepts JSON Schema draft 4 models such as the AWS PetStore samples', async () => {
    const pet = {
      $schema: 'http://json-schema.org/draft-04/schema#',
      title: 'PetStoreModel',
      type: 'object',
      required: ['price', 'type'],
      properties: { id: { type: 'integer' }, type: { type: 'string', enum: ['dog', 'cat', 'fish'] }, price: { type: 'number', minimum: 25.0, maximum: 500.0 } },
    };
    await s.client.send(new CreateModelCommand({ ApiId: wsApi, Name: 'Pet', Schema: JSON.stringify(pet), ContentType: 'application/json' }));
    const pets = { $schema: 'http://json-schema.org/draft-04/schema#', title: 'Pets', type: 'array', items: { $ref: `https://apigateway.amazonaws.com/restapis/${wsApi}/models/Pet` } };
    const created = await s.client.send(new CreateModelCommand({ ApiId: wsApi, Name: 'Pets', Schema: JSON.stringify(pets) }));
    assert.equal(created.Schema, JSON.stringify(pets));
    const local = { definitions: { tag: { type: 'string', pattern: '^[a-z]+$' } }, type: 'object', properties: { tags: { type: 'array', items: { $ref: '#/definitions/tag' }, uniqueItems: true } } };
    await s.client.send(new CreateModelCommand({ ApiId: wsApi, Name: 'Tagged', Schema: JSON.stringify(local) }));
  });

  it('CreateModel rejects schemas that are not JSON Schema draft 4', async () => {
    const create = (Name: string, schema: unknown) => s.client.send(new CreateModelCommand({ ApiId: wsApi, Name, Schema: JSON.stringify(schema) }));
    await rejectsAws(
      create('Typo', { type: 'object', properties: { age: { type: 'integr' } } }),
      'BadRequestException',
      'Invalid model schema: #/properties/age/type: "integr" is not a JSON Schema type (array, boolean, integer, null, number, object, string)',
      400,
    );
    await rejectsAws(
      create('Draft7', { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' }),
      'BadRequestException',
      'Invalid model schema: #/$schema: unsupported schema version "http://json-schema.org/draft-07/schema#" (model schemas are JSON Schema draft 4: http://json-schema.org/draft-04/schema#)',
    );
    await rejectsAws(
      create('Two', { properties: { age: { type: 'integr' } }, required: [] }),
      'BadRequestException',
      'Invalid model schema: #/properties/age/type: "integr" is not a JSON Schema type (array, boolean, integer, null, number, object, string); #/required: must not be an empty array in draft 4 (list at least one property name)',
    );
    await rejectsAws(
      create('Many', { minimum: 'a', maximum: 'b', minLength: -1, maxLength: 1.5, pattern: '(' }),
      'BadRequestException',
      'Invalid model schema: #/minimum: must be a number, got "a"; #/maximum: must be a number, got "b"; #/minLength: must be a non-negative integer, got -1; and 2 more',
    );
    await rejectsAws(
      create('Refs', { properties: { a: { $ref: '#/definitions/a' }, b: { $ref: 'Pet' } } }),
      'BadRequestException',
      'Invalid model schema: #/properties/a/$ref: "#/definitions/a" does not resolve within the schema; #/properties/b/$ref: "Pet" is neither a local reference (#/...) nor an absolute URL',
    );
    await rejectsAws(
      create('Exclusive', { type: 'number', exclusiveMinimum: 0 }),
      'BadRequestException',
      'Invalid model schema: #/exclusiveMinimum: must be a boolean in draft 4 (the bound itself goes in minimum), got 0; #/exclusiveMinimum: requires minimum',
    );
    const names = ((await s.client.send(new GetModelsCommand({ ApiId: wsApi }))).Items ?? []).map((m) => m.Name);
    for (const name of ['Typo', 'Draft7', 'Two', 'Many', 'Refs', 'Exclusive']) assert.ok(!names.includes(name), `${name} was created`);
  });

  it('UpdateModel validates the new schema and keeps the old one on failure', async () => {
    const m = await s.client.send(new CreateModelCommand({ ApiId: wsApi, Name: 'Editable', Schema: '{"type":"object"}' }));
    await rejectsAws(
      s.client.send(new UpdateModelCommand({ ApiId: wsApi, ModelId: m.ModelId, Schema: '{"type":"object","properties":{"n":{"enum":[]}}}' })),
      'BadRequestException',
      'Invalid model schema: #/properties/n/enum: must not be an empty array',
    );
    assert.equal((await s.client.send(new GetModelCommand({ ApiId: wsApi, ModelId: m.ModelId }))).Schema, '{"type":"object"}');
    const schema = '{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","properties":{"n":{"type":"integer","minimum":0,"exclusiveMinimum":true}}}';
    assert.equal((await s.client.send(new UpdateModelCommand({ ApiId: wsApi, ModelId: m.ModelId, Schema: schema }))).Schema, schema);
  });
});
