/**
 * RoutingRules: CreateRoutingRule, GetRoutingRule, ListRoutingRules, PutRoutingRule, DeleteRoutingRule.
 * Rules of a custom domain name, evaluated by priority (lowest first; unique per domain). AWS
 * documents them for REST API stages; Gatehouse stores and validates them for HTTP API stages, and
 * the data plane evaluates them (src/data-plane/routing-rules.ts) when the domain's routingMode uses them.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-routing-rules.html
 */
import { isoSeconds } from '../model/ids.js';
import type { StoredResource } from '../store/store.js';
import type { Step } from './batch.js';
import { applySteps } from './batch.js';
import { requireStage } from './api-mappings.js';
import { loadApi } from './common.js';
import type { ControlPlaneContext, OperationHandler } from './context.js';
import { BadRequestException, childNotFound, ConflictException } from './errors.js';
import type { Input } from './input.js';
import { nextToken, pageRequest } from './pagination.js';
import type { DomainNameConfiguration, DomainNameRecord, RoutingRuleAction, RoutingRuleCondition, RoutingRuleRecord } from '../model/resources.js';
import { endpointProblem, loadDomainName } from './domain-names.js';
import { apiStageRef, domainNameScope } from '../model/account-region.js';





/** "up to two header conditions and one path condition" (rest-api-routing-rules.html). */
const MAX_HEADER_CONDITIONS = 2;
const MAX_BASE_PATH_CONDITIONS = 1;
const MAX_BASE_PATH_LENGTH = 300;
const BASE_PATH = /^[A-Za-z0-9$\-_.+!*'()]+(?:\/[A-Za-z0-9$\-_.+!*'()]+)*$/;
/** RFC 9110 token. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Wildcards only as prefix-match `a*`, suffix-match `*a`, contains `*a*`, or `*` alone (any value: the docs' `x-version: *`). */
const VALUE_GLOB = /^(\*|\*?[^*]+\*?)$/;
/** "The following headers aren't supported as conditions" (rest-api-routing-rules.html, Restrictions). */
const RESTRICTED_HEADERS = new Set([
  'authorization', 'connection', 'content-encoding', 'content-length', 'content-location', 'forwarded', 'keep-alive', 'origin',
  'proxy-authenticate', 'proxy-authorization', 'te', 'trailers', 'transfer-encoding', 'upgrade', 'x-apigw-api-id',
  'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-restapi', 'via',
]);
const RESTRICTED_HEADER_PREFIXES = ['access-control-', 'apigw-', 'x-amz-', 'x-amzn-'];

const bad = (message: string) => new BadRequestException(message);

function checkCondition(condition: RoutingRuleCondition): void {
  const { matchBasePaths, matchHeaders } = condition;
  if ((matchBasePaths === undefined) === (matchHeaders === undefined)) {
    throw bad('Each routing rule condition must have exactly one of matchBasePaths and matchHeaders');
  }
  if (matchBasePaths) {
    if (matchBasePaths.anyOf.length === 0) throw bad('matchBasePaths.anyOf must name at least one base path');
    for (const path of matchBasePaths.anyOf) {
      if (path.length > MAX_BASE_PATH_LENGTH || !BASE_PATH.test(path)) {
        throw bad(`Invalid base path ${path}: use at most ${MAX_BASE_PATH_LENGTH} letters, digits and $-_.+!*'() in levels separated by '/'`);
      }
    }
  }
  if (matchHeaders) {
    if (matchHeaders.anyOf.length === 0) throw bad('matchHeaders.anyOf must name at least one header');
    for (const { header, valueGlob } of matchHeaders.anyOf) {
      if (!HEADER_NAME.test(header)) throw bad(`Invalid header name ${header} in a routing rule condition`);
      // TODO(parity): AWS's wording for a restricted header is unverified.
      const lower = header.toLowerCase();
      if (RESTRICTED_HEADERS.has(lower) || RESTRICTED_HEADER_PREFIXES.some((p) => lower.startsWith(p))) {
        throw bad(`Header ${header} is not supported in routing rule conditions`);
      }
      if (!VALUE_GLOB.test(valueGlob)) {
        throw bad(`Invalid valueGlob ${valueGlob} for header ${header}: '*' is allowed only at the start and/or the end (prefix*, *suffix, *contains*)`);
      }
    }
  }
}

function checkConditions(conditions: readonly RoutingRuleCondition[]): void {
  conditions.forEach(checkCondition);
  const headers = conditions.filter((c) => c.matchHeaders).length;
  const paths = conditions.filter((c) => c.matchBasePaths).length;
  if (headers > MAX_HEADER_CONDITIONS || paths > MAX_BASE_PATH_CONDITIONS) {
    throw bad(`A routing rule can have at most ${MAX_HEADER_CONDITIONS} matchHeaders conditions and ${MAX_BASE_PATH_CONDITIONS} matchBasePaths condition`);
  }
}

/** Validates the actions (exactly one invokeApi of an existing stage); returns the steps guarding the write. */
async function checkActions(ctx: ControlPlaneContext, domain: DomainNameRecord, actions: readonly RoutingRuleAction[]): Promise<Step[]> {
  if (actions.length !== 1) throw bad('A routing rule must have exactly one action');
  const { apiId, stage } = (actions[0] as RoutingRuleAction).invokeApi;
  const api = await loadApi(ctx, apiId);
  if (api.data.protocolType !== 'HTTP') throw bad(`Routing rules can't invoke WebSocket APIs; API ${apiId} is a WebSocket API`);
  const steps = await requireStage(ctx, apiId, stage);
  const problem = endpointProblem(api.data.protocolType, domain.domainNameConfigurations[0] as DomainNameConfiguration);
  if (problem) throw bad(problem);
  return steps;
}

/** The domain named by the path, with the optional `domainNameId` of private domains (which Gatehouse has none of). */
async function loadDomain(ctx: ControlPlaneContext, input: Input): Promise<StoredResource<DomainNameRecord>> {
  const domain = await loadDomainName(ctx, input.domainName as string);
  if (input.domainNameId !== undefined) throw childNotFound('DomainName', `${input.domainName as string}+${input.domainNameId as string}`);
  return domain;
}

/** The rule as given, with AWS's defaults (`stripBasePath: false`), validated; returns the steps guarding its write. */
async function ruleFromInput(ctx: ControlPlaneContext, domain: DomainNameRecord, input: Input, id: string, createdDate: string) {
  const conditions = input.conditions as RoutingRuleCondition[];
  checkConditions(conditions);
  const actions = (input.actions as { invokeApi: { apiId: string; stage: string; stripBasePath?: boolean } }[]).map(({ invokeApi }) => ({
    invokeApi: { apiId: invokeApi.apiId, stage: invokeApi.stage, stripBasePath: invokeApi.stripBasePath ?? false },
  }));
  const checks = await checkActions(ctx, domain, actions);
  const { apiId, stage } = (actions[0] as RoutingRuleAction).invokeApi;
  const rule: RoutingRuleRecord = {
    routingRuleId: id,
    routingRuleArn: `arn:aws:apigateway:${ctx.caller.region}:${ctx.caller.accountId}:/domainnames/${domain.domainName}/routingrules/${id}`,
    priority: input.priority as number,
    conditions,
    actions,
    apiId,
    apiStage: apiStageRef(apiId, stage),
    createdDate,
  };
  return { rule, checks };
}

const priorityConflict = (priority: number) => new ConflictException(`A routing rule with priority ${priority} already exists for this domain name`);

function ruleWrite(ctx: ControlPlaneContext, domainName: string, rule: RoutingRuleRecord, ifVersion?: number): Step {
  const base = { kind: 'routingRule' as const, scope: domainNameScope(ctx.caller, domainName), id: rule.routingRuleId, key: String(rule.priority), data: rule };
  return {
    write: ifVersion === undefined ? { op: 'insert', ...base } : { op: 'update', ...base, ifVersion },
    onError: { CONFLICT: () => priorityConflict(rule.priority), NOT_FOUND: () => childNotFound('RoutingRule', rule.routingRuleId) },
  };
}

/** CreateRoutingRule: POST /v2/domainnames/{domainName}/routingrules */
export const createRoutingRule: OperationHandler = async (input, ctx) => {
  const domain = await loadDomain(ctx, input);
  const { rule, checks } = await ruleFromInput(ctx, domain.data, input, ctx.ids('routingRule'), isoSeconds(ctx.clock()));
  await applySteps(ctx.store, [
    { write: { op: 'check', kind: 'domainName', scope: ctx.scope, id: domain.id }, onError: { NOT_FOUND: () => childNotFound('DomainName', domain.id) } },
    ...checks,
    ruleWrite(ctx, domain.id, rule),
  ]);
  return { body: rule as unknown as Record<string, unknown>, createdAt: rule.createdDate };
};

async function loadRule(ctx: ControlPlaneContext, input: Input): Promise<{ domain: StoredResource<DomainNameRecord>; rule: StoredResource<RoutingRuleRecord> }> {
  const domain = await loadDomain(ctx, input);
  const rule = await ctx.store.get<RoutingRuleRecord>('routingRule', domainNameScope(ctx.caller, domain.id), input.routingRuleId as string);
  if (!rule) throw childNotFound('RoutingRule', input.routingRuleId as string);
  return { domain, rule };
}

/** GetRoutingRule: GET /v2/domainnames/{domainName}/routingrules/{routingRuleId} */
export const getRoutingRule: OperationHandler = async (input, ctx) => {
  const { rule } = await loadRule(ctx, input);
  return { body: rule.data as unknown as Record<string, unknown>, createdAt: rule.data.createdDate };
};

/**
 * ListRoutingRules: GET /v2/domainnames/{domainName}/routingrules — in priority order; the page
 * token carries the last priority served (priorities are unique per domain).
 */
export const listRoutingRules: OperationHandler = async (input, ctx) => {
  const domain = await loadDomain(ctx, input);
  const { limit, after } = pageRequest(input);
  const rules = (await ctx.store.listAll<RoutingRuleRecord>('routingRule', domainNameScope(ctx.caller, domain.id)))
    .map((r) => r.data)
    .filter((r) => after === undefined || r.priority > after)
    .sort((a, b) => a.priority - b.priority);
  const page = rules.slice(0, limit);
  const last = page[page.length - 1];
  const token = rules.length > limit && last ? nextToken({ items: [], next: last.priority }) : undefined;
  return { body: { routingRules: page, ...(token ? { nextToken: token } : {}) } };
};

/** PutRoutingRule: PUT /v2/domainnames/{domainName}/routingrules/{routingRuleId} — replaces the rule, keeping its id. */
export const putRoutingRule: OperationHandler = async (input, ctx) => {
  const { domain, rule: current } = await loadRule(ctx, input);
  const { rule, checks } = await ruleFromInput(ctx, domain.data, input, current.id, current.data.createdDate);
  await applySteps(ctx.store, [...checks, ruleWrite(ctx, domain.id, rule, current.version)]);
  return { body: rule as unknown as Record<string, unknown>, createdAt: rule.createdDate };
};

/** DeleteRoutingRule: DELETE /v2/domainnames/{domainName}/routingrules/{routingRuleId} */
export const deleteRoutingRule: OperationHandler = async (input, ctx) => {
  const { domain, rule } = await loadRule(ctx, input);
  await applySteps(ctx.store, [
    {
      write: { op: 'delete', kind: 'routingRule', scope: domainNameScope(ctx.caller, domain.id), id: rule.id },
      onError: { NOT_FOUND: () => childNotFound('RoutingRule', rule.id) },
    },
  ]);
};
