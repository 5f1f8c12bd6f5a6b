/**
 * Models (WebSocket APIs): CreateModel, GetModel, GetModels, UpdateModel, DeleteModel.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-models.html
 */
import { isoSeconds } from '../model/ids.js';
import { checkDraft4Schema } from '../model/json-schema-draft4.js';
import { applyApiChange } from './deployments.js';
import { listPage, loadApi, loadChild, patch } from './common.js';
import type { ControlPlaneContext, OperationHandler } from './context.js';
import { BadRequestException, childNotFound, ConflictException } from './errors.js';
import type { ApiRecord, ModelRecord, RouteRecord } from '../model/resources.js';

const NAME = /^[A-Za-z0-9]+$/;

const modelConflict = (name: string) => new ConflictException(`Model with name ${name} already exists for this API`);

/** The schema must be JSON, a JSON object, and a JSON Schema draft 4 document (as AWS validates it). */
function checkModel(api: ApiRecord, model: ModelRecord): void {
  if (api.protocolType !== 'WEBSOCKET') throw new BadRequestException('Models are supported only for WebSocket APIs');
  if (!NAME.test(model.name)) throw new BadRequestException(`Invalid model name ${model.name}: must be alphanumeric`);
  let schema: unknown;
  try {
    schema = JSON.parse(model.schema);
  } catch (err) {
    throw new BadRequestException(`Invalid model schema: not JSON (${(err as Error).message})`);
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new BadRequestException('Invalid model schema: must be a JSON Schema object');
  const problems = checkDraft4Schema(schema);
  const shown = 3; // the rest are counted
  if (problems.length > 0) {
    const more = problems.length > shown ? `; and ${problems.length - shown} more` : '';
    throw new BadRequestException(`Invalid model schema: ${problems.slice(0, shown).join('; ')}${more}`);
  }
}

const MEMBERS = ['name', 'schema', 'contentType', 'description'];

/** CreateModel: POST /v2/apis/{apiId}/models */
export const createModel: OperationHandler = async (input, ctx) => {
  const api = await loadApi(ctx, input.apiId as string);
  const model: ModelRecord = patch({ modelId: ctx.ids('model'), createdDate: isoSeconds(ctx.clock()) } as ModelRecord, input, MEMBERS);
  checkModel(api.data, model);
  await applyApiChange(ctx, api.id, [
    { write: { op: 'insert', kind: 'model', scope: api.id, id: model.modelId, key: model.name, data: model }, onError: { CONFLICT: () => modelConflict(model.name) } },
  ]);
  return { body: model as unknown as Record<string, unknown>, createdAt: model.createdDate };
};


/** GetModel: GET /v2/apis/{apiId}/models/{modelId} */
export const getModel: OperationHandler = async (input, ctx) => {
  const { item: model } = await loadChild<ModelRecord>(ctx, input, 'model', 'modelId', 'Model');
  return { body: model.data as unknown as Record<string, unknown>, createdAt: model.data.createdDate };
};

/** GetModels: GET /v2/apis/{apiId}/models */
export const getModels: OperationHandler = async (input, ctx) => {
  const api = await loadApi(ctx, input.apiId as string);
  return listPage(ctx, 'model', api.id, input);
};

async function routeUsingModel(ctx: ControlPlaneContext, apiId: string, name: string): Promise<RouteRecord | undefined> {
  const routes = await ctx.store.listAll<RouteRecord>('route', apiId);
  return routes.find((r) => Object.values(r.data.requestModels ?? {}).includes(name))?.data;
}

/** UpdateModel: PATCH /v2/apis/{apiId}/models/{modelId} */
export const updateModel: OperationHandler = async (input, ctx) => {
  const { api, item: current } = await loadChild<ModelRecord>(ctx, input, 'model', 'modelId', 'Model');
  const model: ModelRecord = patch(current.data, input, MEMBERS);
  checkModel(api, model);
  if (model.name !== current.data.name) {
    const user = await routeUsingModel(ctx, api.apiId, current.data.name);
    if (user) throw new ConflictException(`Cannot rename model '${current.data.name}', is referenced in route: ${user.routeKey}`);
  }
  await applyApiChange(ctx, api.apiId, [
    {
      write: { op: 'update', kind: 'model', scope: api.apiId, id: current.id, key: model.name, data: model, ifVersion: current.version },
      onError: { CONFLICT: () => modelConflict(model.name), NOT_FOUND: () => childNotFound('Model', current.id) },
    },
  ]);
  return { body: model as unknown as Record<string, unknown>, createdAt: model.createdDate };
};

/** DeleteModel: DELETE /v2/apis/{apiId}/models/{modelId} — refused while a route's requestModels names it. */
export const deleteModel: OperationHandler = async (input, ctx) => {
  const { api, item: model } = await loadChild<ModelRecord>(ctx, input, 'model', 'modelId', 'Model');
  const user = await routeUsingModel(ctx, api.apiId, model.data.name);
  if (user) throw new ConflictException(`Cannot delete model '${model.data.name}', is referenced in route: ${user.routeKey}`);
  await applyApiChange(ctx, api.apiId, [{ write: { op: 'delete', kind: 'model', scope: api.apiId, id: model.id }, onError: { NOT_FOUND: () => childNotFound('Model', model.id) } }]);
};

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; items?: JsonSchema };

/** A VTL mapping template for a schema, in the shape API Gateway generates (`$inputRoot` walk). */
function template(schema: JsonSchema, path: string, indent: string): string {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'object' || schema.properties) {
    const entries = Object.entries(schema.properties ?? {}).map(([name, prop]) => `${indent}  "${name}" : ${template(prop, `${path}.${name}`, `${indent}  `)}`);
    return entries.length === 0 ? '{}' : `{\n${entries.join(',\n')}\n${indent}}`;
  }
  if (type === 'array') {
    const item = template(schema.items ?? {}, '$elem', `${indent}  `);
    return `[\n${indent}#foreach($elem in ${path})\n${indent}  ${item}#if($foreach.hasNext),#end\n${indent}#end\n${indent}]`;
  }
  if (type === 'number' || type === 'integer' || type === 'boolean') return path;
  return `"${path}"`;
}

/** GetModelTemplate: GET /v2/apis/{apiId}/models/{modelId}/template */
export const getModelTemplate: OperationHandler = async (input, ctx) => {
  const { item: model } = await loadChild<ModelRecord>(ctx, input, 'model', 'modelId', 'Model');
  const schema = JSON.parse(model.data.schema) as JsonSchema;
  return { body: { value: `#set($inputRoot = $input.path('$'))\n${template(schema, '$inputRoot', '')}` } };
};
