/**
 * Models: CreateModel, GetModel, GetModels, UpdateModel, DeleteModel, GetModelTemplate.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-models.html
 *
 * Models are accepted on HTTP APIs as on WebSocket APIs: the model says "Supported only for WebSocket
 * APIs", but no AWS refusal is known (terraform-provider-aws internal/service/apigatewayv2/model.go
 * sends CreateModel for any api_id; only WebSocket APIs use them, through route requestModels).
 */
import { isoSeconds } from '../model/ids.js';
import { valueNestingExceeds } from '../model/json-depth.js';
import { checkDraft4Schema, MAX_SCHEMA_DEPTH } from '../model/json-schema-draft4.js';
import { compileValidator } from '../model/json-schema-validate.js';
import { applyApiChange } from './deployments.js';
import { CLEARED_BY_EMPTY } from './input.js';
import { listPage, loadApi, loadChild, patch } from './common.js';
import type { ControlPlaneContext, OperationHandler } from './context.js';
import { BadRequestException, childNotFound, ConflictException } from './errors.js';
import type { ModelRecord, RouteRecord } from '../model/resources.js';

const NAME = /^[A-Za-z0-9]+$/;

const modelConflict = (name: string) => new ConflictException(`Model with name ${name} already exists for this API`);

/**
 * Whether a model's schema is a JSON Schema: for `application/json` and `+json` media types (and when
 * no content type is given). "For application/json models, this should be JSON schema draft 4 model"
 * (CreateModel's Schema, https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-models.html);
 * the schemas of other content types are stored and echoed as given.
 */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return type === 'application/json' || /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+\+json$/.test(type);
}

/**
 * AWS's refusal of a model schema, with Gatehouse's reason for each problem as AWS details some:
 * "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]"
 * (https://github.com/amazon-archives/aws-apigateway-importer/issues/213, https://github.com/aws/aws-cdk/issues/27433),
 * "… errors : [Invalid model schema specified. Unsupported keyword(s): [\"$id\"]]" (https://github.com/aws/aws-cdk/issues/14585),
 * "… errors : [Invalid model schema specified, Model reference must be in canonical form]"
 * (https://github.com/Dropsource/serverless-todo-api-example-complete/issues/3).
 */
export function invalidModelSchema(problems: readonly string[]): BadRequestException {
  const shown = 3; // the rest are counted
  const errors = problems.slice(0, shown).map((p) => `Invalid model schema specified. ${p}`);
  if (problems.length > shown) errors.push(`and ${problems.length - shown} more`);
  return new BadRequestException(`Invalid model specified: Validation Result: warnings : [], errors : [${errors.join(', ')}]`);
}

/** The model name an API Gateway model URL names (`https://apigateway.amazonaws.com/restapis/{apiId}/models/{name}`). */
function modelNameOf(ref: string): string | undefined {
  const m = /\/models\/([^/#?]+)$/.exec(ref);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1] as string);
  } catch {
    return undefined;
  }
}

/**
 * Checks a model as AWS does: an alphanumeric name, and for JSON content types a schema that is JSON,
 * a JSON object, a JSON Schema draft 4 document, and one that can be compiled: references resolve,
 * and none loops back to apply a schema to the same value again (`{"$ref": "#"}`, a -> b -> a, also
 * across the API's other models). References to models that do not exist (yet) are not followed.
 */
function checkModel(model: ModelRecord, others: readonly ModelRecord[]): void {
  if (!NAME.test(model.name)) throw new BadRequestException(`Invalid model name ${model.name}: must be alphanumeric`);
  if (!isJsonContentType(model.contentType)) return;
  let schema: unknown;
  try {
    schema = JSON.parse(model.schema);
  } catch (err) {
    throw invalidModelSchema([`The schema is not JSON: ${(err as Error).message}`]);
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw invalidModelSchema(['#: must be a schema (a JSON object)']);
  const problems = checkDraft4Schema(schema);
  if (problems.length > 0) throw invalidModelSchema(problems);
  const parsed = new Map<string, object>([[model.name, schema]]);
  const resolveRef = (ref: string): object => {
    const name = modelNameOf(ref);
    if (name === undefined) return {};
    let found = parsed.get(name);
    if (!found) {
      const other = others.find((m) => m.name === name);
      try {
        found = other && isJsonContentType(other.contentType) ? (JSON.parse(other.schema) as object) : {};
      } catch {
        found = {};
      }
      parsed.set(name, typeof found === 'object' && found !== null && !Array.isArray(found) ? found : {});
    }
    return parsed.get(name) as object;
  };
  try {
    compileValidator(schema, resolveRef);
  } catch (err) {
    throw invalidModelSchema([(err as Error).message]);
  }
}

const MEMBERS = ['name', 'schema', 'contentType', 'description'];

/** The API's models other than `modelId` (what a schema's model URLs may name). */
async function otherModels(ctx: ControlPlaneContext, apiId: string, modelId: string): Promise<ModelRecord[]> {
  return (await ctx.store.listAll<ModelRecord>('model', apiId)).map((m) => m.data).filter((m) => m.modelId !== modelId);
}

/** CreateModel: POST /v2/apis/{apiId}/models */
export const createModel: OperationHandler = async (input, ctx) => {
  const api = await loadApi(ctx, input.apiId as string);
  const model: ModelRecord = patch({ modelId: ctx.ids('model'), createdDate: isoSeconds(ctx.clock()) } as ModelRecord, input, MEMBERS);
  checkModel(model, await otherModels(ctx, api.id, model.modelId));
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
  const model: ModelRecord = patch(current.data, input, MEMBERS, CLEARED_BY_EMPTY.UpdateModelRequest);
  checkModel(model, await otherModels(ctx, api.apiId, model.modelId));
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
  let schema: unknown;
  try {
    schema = JSON.parse(model.data.schema);
  } catch {
    schema = undefined;
  }
  // Schemas of other content types are stored unchecked: only a JSON object of a checked depth is walked.
  // TODO(parity): AWS's answer for a model whose schema is not a JSON Schema is not public.
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema) || valueNestingExceeds(schema, MAX_SCHEMA_DEPTH)) {
    throw new BadRequestException(`Cannot generate mapping template because model ${model.data.name} has no JSON Schema`);
  }
  return { body: { value: `#set($inputRoot = $input.path('$'))\n${template(schema as JsonSchema, '$inputRoot', '')}` } };
};
