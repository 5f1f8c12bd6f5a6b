/**
 * Helpers shared by the resource modules of the management API.
 */
import type { NotActedOn } from '../model/not-acted-on.js';
import type { Derive, ResourceKind, StoredResource } from '../store/store.js';
import { domainNameScope } from '../model/account-region.js';
import type { ControlPlaneContext, HandlerResult } from './context.js';
import type { AwsError } from './errors.js';
import { apiNotFound, BadRequestException, childNotFound } from './errors.js';
import type { Input } from './input.js';
import { nextToken, pageRequest } from './pagination.js';
import type { ApiRecord } from '../model/resources.js';

/** The API named by `apiId`, or AWS's NotFoundException. */
export async function loadApi(ctx: ControlPlaneContext, apiId: string): Promise<StoredResource<ApiRecord>> {
  const api = await ctx.store.get<ApiRecord>('api', ctx.scope, apiId);
  if (!api) throw apiNotFound(ctx.caller.accountId, apiId);
  return api;
}

/**
 * A child resource of an API named by the request (`routeId`, `integrationId`, ...), with its API,
 * or AWS's NotFoundException for whichever is missing (`Invalid Route identifier specified x`).
 */
export async function loadChild<T>(
  ctx: ControlPlaneContext,
  input: Input,
  kind: ResourceKind,
  idMember: string,
  resourceType: string,
): Promise<{ api: ApiRecord; item: StoredResource<T> }> {
  const api = await loadApi(ctx, input.apiId as string);
  const id = input[idMember] as string;
  const item = await ctx.store.get<T>(kind, api.id, id);
  if (!item) throw childNotFound(resourceType, id);
  return { api: api.data, item };
}

/**
 * A derive step refusing its batch while an API mapping or routing rule of one of the caller's
 * domain names has `field` (`apiId`, or `apiStage` = `{apiId}/{stageName}`) equal to `value`. It
 * reads inside the transaction, after the batch's delete: a mapping written concurrently either
 * committed first (and is seen here) or waits for the delete and then finds nothing to map.
 */
export function refuseDomainReferences(ctx: ControlPlaneContext, field: 'apiId' | 'apiStage', value: string, refusal: (what: string) => AwsError): Derive {
  return async (reader) => {
    for (const domain of await reader.listAll('domainName', ctx.scope)) {
      const scope = domainNameScope(ctx.caller, domain.id);
      for (const [kind, what] of [['apiMapping', 'API mappings'], ['routingRule', 'routing rules']] as const) {
        if ((await reader.listAll(kind, scope)).some((r) => r.data[field] === value)) throw refusal(what);
      }
    }
    return [];
  };
}

/** A resource stored under a parent's scope (a route's responses, ...), or NotFoundException. */
export async function loadInScope<T>(ctx: ControlPlaneContext, kind: ResourceKind, scope: string, id: string, resourceType: string): Promise<StoredResource<T>> {
  const item = await ctx.store.get<T>(kind, scope, id);
  if (!item) throw childNotFound(resourceType, id);
  return item;
}

/**
 * What the write is about to store that Gatehouse does not act on (model/not-acted-on.ts): under
 * `--strict` the first gap is refused with a 400 naming it, before anything is written; otherwise
 * each gap is logged once per write (the data plane logs them again when it compiles a stage).
 */
export function refuseNotActedOn(ctx: ControlPlaneContext, entries: readonly NotActedOn[]): void {
  const gaps = entries.filter((e) => !e.awsIgnores);
  if (gaps.length === 0) return;
  const [first] = gaps as [NotActedOn];
  if (ctx.config.strict) {
    throw new BadRequestException(`Gatehouse runs with --strict and does not act on ${first.member}: ${first.reason}`);
  }
  ctx.logger.warn('control plane: stored configuration Gatehouse does not act on', { notActedOn: gaps.map((g) => `${g.member}: ${g.reason}`) });
}

/**
 * Copies the members of `input` that are set onto `target` (an update's patch); `""` removes the
 * members listed in `cleared` (input.ts CLEARED_BY_EMPTY for the operation).
 */
export function patch<T extends object>(target: T, input: Input, names: readonly string[], cleared: readonly string[] = []): T {
  const out = { ...target } as Record<string, unknown>;
  for (const name of names) {
    if (input[name] === '' && cleared.includes(name)) delete out[name];
    else if (input[name] !== undefined) out[name] = input[name];
  }
  return out as T;
}

/** One page of a list operation: `items` + `nextToken`. */
export async function listPage(
  ctx: ControlPlaneContext,
  kind: ResourceKind,
  scope: string,
  input: Input,
  render: (item: StoredResource) => Record<string, unknown> = (item) => item.data,
): Promise<HandlerResult> {
  const page = await ctx.store.list(kind, scope, pageRequest(input));
  const token = nextToken(page);
  return {
    body: { items: page.items.map(render), ...(token ? { nextToken: token } : {}) },
    itemsCreatedAt: page.items.map((item) => (item.data as { createdDate?: string }).createdDate),
  };
}

/** A required member the model leaves optional (AWS enforces it for some cases only). */
export function requireMember(input: Input, name: string, why: string): void {
  if (input[name] === undefined) throw new BadRequestException(`${name} is required ${why}`);
}
