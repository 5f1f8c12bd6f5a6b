/**
 * ApiMappings: CreateApiMapping, GetApiMapping, GetApiMappings, UpdateApiMapping, DeleteApiMapping.
 * A mapping connects an API stage to a custom domain name under a path (the mapping key; `''` is
 * the root); one API per key and domain, enforced by the store.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-mappings.html
 */
import { isoSeconds } from '../model/ids.js';
import type { StoredResource } from '../store/store.js';
import type { Step } from './batch.js';
import { applySteps } from './batch.js';
import { listPage, loadApi } from './common.js';
import type { ControlPlaneContext, OperationHandler } from './context.js';
import { apiNotFound, BadRequestException, childNotFound, ConflictException } from './errors.js';
import type { Input } from './input.js';
import type { ApiMappingRecord, ApiRecord, DomainNameConfiguration, DomainNameRecord } from '../model/resources.js';
import { endpointProblem, loadDomainName } from './domain-names.js';
import { apiStageRef, domainNameScope } from '../model/account-region.js';


const MAX_KEY_LENGTH = 300;
/** Levels of letters, digits and `$-_.+!*'()`, separated by single slashes. */
const MAPPING_KEY = /^[A-Za-z0-9$\-_.+!*'()]+(?:\/[A-Za-z0-9$\-_.+!*'()]+)*$/;
const PROTOCOL_WORD: Readonly<Record<string, string>> = { HTTP: 'HTTP', WEBSOCKET: 'WebSocket' };
const PROTOCOL_NOUN: Readonly<Record<string, string>> = { HTTP: 'an HTTP API', WEBSOCKET: 'a WebSocket API' };

/** Checks an API mapping key (AWS "API mappings" restrictions); `''` is the root mapping. */
export function checkMappingKey(key: string, protocolType: string): void {
  if (key === '') return;
  if (key.length > MAX_KEY_LENGTH) throw new BadRequestException(`Invalid API mapping key ${key}: must be at most ${MAX_KEY_LENGTH} characters`);
  if (!MAPPING_KEY.test(key)) {
    throw new BadRequestException(
      `Invalid API mapping key ${key}: use letters, digits and $-_.+!*'() in levels separated by '/', with no leading, trailing or empty levels`,
    );
  }
  if (protocolType === 'WEBSOCKET' && key.includes('/')) {
    throw new BadRequestException(`Invalid API mapping key ${key}: multi-level API mappings are not supported for WebSocket APIs`);
  }
}

/** Checks that the stage exists; returns the batch steps that keep the API and stage in place while writing. */
export async function requireStage(ctx: ControlPlaneContext, apiId: string, stage: string): Promise<Step[]> {
  if (!(await ctx.store.get('stage', apiId, stage))) throw childNotFound('Stage', stage);
  return [
    { write: { op: 'check', kind: 'api', scope: ctx.scope, id: apiId }, onError: { NOT_FOUND: () => apiNotFound(ctx.caller.accountId, apiId) } },
    { write: { op: 'check', kind: 'stage', scope: apiId, id: stage }, onError: { NOT_FOUND: () => childNotFound('Stage', stage) } },
  ];
}

const mappingConflict = (key: string) => new ConflictException(`API mapping with key ${key === '' ? '(none)' : key} already exists for this domain name`);

/** The checks of a complete mapping on a domain; returns the steps guarding its write. */
async function checkMapping(ctx: ControlPlaneContext, domain: DomainNameRecord, mapping: ApiMappingRecord): Promise<Step[]> {
  const api = (await loadApi(ctx, mapping.apiId)).data;
  checkMappingKey(mapping.apiMappingKey, api.protocolType);
  const steps = await requireStage(ctx, api.apiId, mapping.stage);
  const problem = endpointProblem(api.protocolType, domain.domainNameConfigurations[0] as DomainNameConfiguration);
  if (problem) throw new BadRequestException(problem);
  await checkProtocolMix(ctx, domain.domainName.toLowerCase(), api, mapping.apiMappingId);
  return steps;
}

/** WebSocket APIs can't share a domain name with HTTP APIs (AWS "API mappings" restrictions). */
async function checkProtocolMix(ctx: ControlPlaneContext, domainName: string, api: ApiRecord, mappingId: string): Promise<void> {
  const seen = new Set([api.apiId]);
  for (const other of await ctx.store.listAll<ApiMappingRecord>('apiMapping', domainNameScope(ctx.caller, domainName))) {
    if (other.id === mappingId || seen.has(other.data.apiId)) continue;
    seen.add(other.data.apiId);
    const otherApi = await ctx.store.get<ApiRecord>('api', ctx.scope, other.data.apiId);
    if (otherApi && otherApi.data.protocolType !== api.protocolType) {
      throw new BadRequestException(
        `Cannot map ${PROTOCOL_NOUN[api.protocolType]} to ${domainName}: it already has mappings to ${PROTOCOL_WORD[otherApi.data.protocolType]} APIs, ` +
          'and WebSocket APIs cannot share a domain name with HTTP APIs',
      );
    }
  }
}

function mappingWrite(ctx: ControlPlaneContext, domainName: string, mapping: ApiMappingRecord, op: 'insert' | 'update', ifVersion?: number): Step {
  const scope = domainNameScope(ctx.caller, domainName);
  const data = { ...mapping, apiStage: apiStageRef(mapping.apiId, mapping.stage) };
  const base = { kind: 'apiMapping' as const, scope, id: mapping.apiMappingId, key: mapping.apiMappingKey, data };
  return {
    write: op === 'insert' ? { op, ...base } : { op, ...base, ...(ifVersion !== undefined ? { ifVersion } : {}) },
    onError: { CONFLICT: () => mappingConflict(mapping.apiMappingKey), NOT_FOUND: () => childNotFound('ApiMapping', mapping.apiMappingId) },
  };
}

const domainGuard = (ctx: ControlPlaneContext, domainName: string): Step => ({
  write: { op: 'check', kind: 'domainName', scope: ctx.scope, id: domainName },
  onError: { NOT_FOUND: () => childNotFound('DomainName', domainName) },
});

/** CreateApiMapping: POST /v2/domainnames/{domainName}/apimappings */
export const createApiMapping: OperationHandler = async (input, ctx) => {
  const domain = await loadDomainName(ctx, input.domainName as string);
  const mapping: ApiMappingRecord = {
    apiMappingId: ctx.ids('apiMapping'),
    apiMappingKey: (input.apiMappingKey as string | undefined) ?? '',
    apiId: input.apiId as string,
    stage: input.stage as string,
    apiStage: apiStageRef(input.apiId as string, input.stage as string),
    createdDate: isoSeconds(ctx.clock()),
  };
  const checks = await checkMapping(ctx, domain.data, mapping);
  await applySteps(ctx.store, [domainGuard(ctx, domain.id), ...checks, mappingWrite(ctx, domain.id, mapping, 'insert')]);
  return { body: mapping as unknown as Record<string, unknown>, createdAt: mapping.createdDate };
};

async function loadMapping(ctx: ControlPlaneContext, input: Input): Promise<{ domain: StoredResource<DomainNameRecord>; mapping: StoredResource<ApiMappingRecord> }> {
  const domain = await loadDomainName(ctx, input.domainName as string);
  const mapping = await ctx.store.get<ApiMappingRecord>('apiMapping', domainNameScope(ctx.caller, domain.id), input.apiMappingId as string);
  if (!mapping) throw childNotFound('ApiMapping', input.apiMappingId as string);
  return { domain, mapping };
}

/** GetApiMapping: GET /v2/domainnames/{domainName}/apimappings/{apiMappingId} */
export const getApiMapping: OperationHandler = async (input, ctx) => {
  const { mapping } = await loadMapping(ctx, input);
  return { body: mapping.data as unknown as Record<string, unknown>, createdAt: mapping.data.createdDate };
};

/** GetApiMappings: GET /v2/domainnames/{domainName}/apimappings */
export const getApiMappings: OperationHandler = async (input, ctx) => {
  const domain = await loadDomainName(ctx, input.domainName as string);
  return listPage(ctx, 'apiMapping', domainNameScope(ctx.caller, domain.id), input);
};

/** UpdateApiMapping: PATCH /v2/domainnames/{domainName}/apimappings/{apiMappingId} — `apiId` is required by the model. */
export const updateApiMapping: OperationHandler = async (input, ctx) => {
  const { domain, mapping: current } = await loadMapping(ctx, input);
  const mapping: ApiMappingRecord = {
    ...current.data,
    apiId: input.apiId as string,
    ...(input.stage !== undefined ? { stage: input.stage as string } : {}),
    ...(input.apiMappingKey !== undefined ? { apiMappingKey: input.apiMappingKey as string } : {}),
  };
  const checks = await checkMapping(ctx, domain.data, mapping);
  await applySteps(ctx.store, [...checks, mappingWrite(ctx, domain.id, mapping, 'update', current.version)]);
  return { body: mapping as unknown as Record<string, unknown>, createdAt: mapping.createdDate };
};

/** DeleteApiMapping: DELETE /v2/domainnames/{domainName}/apimappings/{apiMappingId} */
export const deleteApiMapping: OperationHandler = async (input, ctx) => {
  const { domain, mapping } = await loadMapping(ctx, input);
  await applySteps(ctx.store, [
    {
      write: { op: 'delete', kind: 'apiMapping', scope: domainNameScope(ctx.caller, domain.id), id: mapping.id },
      onError: { NOT_FOUND: () => childNotFound('ApiMapping', mapping.id) },
    },
  ]);
};
