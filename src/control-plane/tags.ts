/**
 * Tags: TagResource, UntagResource, GetTags. Tags live inline in the tagged record's `tags`
 * member (Api, Stage, DomainName, VpcLink), addressed by the resource's ARN.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/tags-resource-arn.html
 */
import type { AccountRegion } from '../model/account-region.js';
import { accountRegionScope } from '../model/account-region.js';
import type { ResourceKind, StoredResource } from '../store/store.js';
import { applySteps } from './batch.js';
import { loadApi } from './common.js';
import { changeStage } from './stages.js';
import type { ControlPlaneContext, OperationHandler } from './context.js';
import type { AwsError } from './errors.js';
import { apiNotFound, BadRequestException, childNotFound } from './errors.js';

/** Tags on one resource, as AWS limits them (SPEC §G "Tags per stage", AWS tagging rules). */
export const MAX_TAGS = 50;
const MAX_KEY = 128;
const MAX_VALUE = 256;
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Validates tags given at create time or to TagResource; `existing` are kept by the merge. */
export function checkTags(tags: Readonly<Record<string, string>> | undefined, existing: Readonly<Record<string, string>> = {}): void {
  if (!tags) return;
  for (const [key, value] of Object.entries(tags)) {
    if (key.length < 1 || key.length > MAX_KEY) throw new BadRequestException(`Invalid tag key ${key}: must be 1-${MAX_KEY} characters`);
    if (key.toLowerCase().startsWith('aws:')) throw new BadRequestException(`Invalid tag key ${key}: the aws: prefix is reserved`);
    if (!TAG_CHARACTERS.test(key)) throw new BadRequestException(`Invalid tag key ${key}: use letters, digits, spaces and _ . : / = + - @`);
    if (value.length > MAX_VALUE) throw new BadRequestException(`Invalid tag value for key ${key}: must be at most ${MAX_VALUE} characters`);
    if (!TAG_CHARACTERS.test(value)) throw new BadRequestException(`Invalid tag value for key ${key}: use letters, digits, spaces and _ . : / = + - @`);
  }
  const count = Object.keys({ ...existing, ...tags }).length;
  if (count > MAX_TAGS) throw new BadRequestException(`A resource can have at most ${MAX_TAGS} tags; this request would leave ${count}`);
}

/** A resource that carries tags, as named by its ARN. */
interface TaggedResource {
  readonly kind: ResourceKind;
  readonly scope: string;
  readonly id: string;
}

/** `arn:{partition}:apigateway:{region}:{account?}:/{path}`; AWS leaves the account empty. */
const ARN = /^arn:aws[a-z-]*:apigateway:([a-z0-9-]+):(\d{12})?:\/(.+)$/;
const PATHS: readonly [RegExp, (m: RegExpExecArray, scope: string) => TaggedResource][] = [
  [/^apis\/([^/]+)$/, (m, scope) => ({ kind: 'api', scope, id: m[1] as string })],
  [/^apis\/([^/]+)\/stages\/([^/]+)$/, (m) => ({ kind: 'stage', scope: m[1] as string, id: m[2] as string })],
  [/^domainnames\/([^/]+)$/, (m, scope) => ({ kind: 'domainName', scope, id: (m[1] as string).toLowerCase() })],
  [/^vpclinks\/([^/]+)$/, (m, scope) => ({ kind: 'vpcLink', scope, id: m[1] as string })],
];

function invalidArn(arn: string): BadRequestException {
  return new BadRequestException(
    `Invalid resource ARN ${arn}: tags are supported on arn:aws:apigateway:{region}::/apis/{apiId}, ` +
      '/apis/{apiId}/stages/{stageName}, /domainnames/{domainName} and /vpclinks/{vpcLinkId}',
  );
}

/**
 * Parses a taggable resource ARN into the resource it names in the caller's account and region;
 * `elsewhere` is set when the ARN names another region or account (its resource is not the caller's to see).
 */
export function parseResourceArn(arn: string, caller: AccountRegion): TaggedResource & { readonly elsewhere: boolean } {
  const m = ARN.exec(arn);
  if (!m) throw invalidArn(arn);
  const path = m[3] as string;
  for (const [pattern, build] of PATHS) {
    const p = pattern.exec(path);
    if (!p) continue;
    const elsewhere = m[1] !== caller.region || (m[2] !== undefined && m[2] !== caller.accountId);
    return { ...build(p, accountRegionScope(caller)), elsewhere };
  }
  throw invalidArn(arn);
}

const NOT_FOUND: Readonly<Partial<Record<ResourceKind, string>>> = { stage: 'Stage', domainName: 'DomainName', vpcLink: 'VpcLink' };

function notFound(ctx: ControlPlaneContext, resource: TaggedResource): AwsError {
  if (resource.kind === 'api') return apiNotFound(ctx.caller.accountId, resource.id);
  return childNotFound(NOT_FOUND[resource.kind] as string, resource.id);
}

type Tagged = StoredResource<{ tags?: Record<string, string> }>;

/** Loads the resource an ARN names, or AWS's NotFoundException for it (the API first, for a stage). */
async function loadTagged(ctx: ControlPlaneContext, arn: string): Promise<{ resource: TaggedResource; stored: Tagged }> {
  const { elsewhere, ...resource } = parseResourceArn(arn, ctx.caller);
  // Resources are regional: an ARN of another region or account names nothing the caller can see.
  if (elsewhere) throw notFound(ctx, resource.kind === 'stage' ? { kind: 'api', scope: ctx.scope, id: resource.scope } : resource);
  if (resource.kind === 'api') return { resource, stored: await loadApi(ctx, resource.id) };
  if (resource.kind === 'stage') await loadApi(ctx, resource.scope);
  const stored = await ctx.store.get<{ tags?: Record<string, string> }>(resource.kind, resource.scope, resource.id);
  if (!stored) throw notFound(ctx, resource);
  return { resource, stored };
}

/** Writes `retag(current tags)`; a stage is rewritten under its API's lock (auto-deployments write stages too). */
async function writeTags(ctx: ControlPlaneContext, resource: TaggedResource, stored: Tagged, retag: (current: Record<string, string>) => Record<string, string>): Promise<void> {
  if (resource.kind === 'stage') {
    await changeStage(ctx, resource.scope, resource.id, (stage) => ({ ...stage, tags: retag(stage.tags) }));
    return;
  }
  const tags = retag(stored.data.tags ?? {});
  await applySteps(ctx.store, [
    {
      write: { op: 'update', kind: resource.kind, scope: resource.scope, id: resource.id, data: { ...stored.data, tags }, ifVersion: stored.version },
      onError: { NOT_FOUND: () => notFound(ctx, resource) },
    },
  ]);
}

/** TagResource: POST /v2/tags/{resourceArn} — 201 `{}`. */
export const tagResource: OperationHandler = async (input, ctx) => {
  const { resource, stored } = await loadTagged(ctx, input.resourceArn as string);
  const tags = (input.tags as Record<string, string> | undefined) ?? {};
  checkTags(tags, stored.data.tags ?? {});
  await writeTags(ctx, resource, stored, (current) => ({ ...current, ...tags }));
  return { body: {} };
};

/** UntagResource: DELETE /v2/tags/{resourceArn}?tagKeys=k1&tagKeys=k2 — keys not present are ignored. */
export const untagResource: OperationHandler = async (input, ctx) => {
  const { resource, stored } = await loadTagged(ctx, input.resourceArn as string);
  await writeTags(ctx, resource, stored, (current) => {
    const tags = { ...current };
    for (const key of input.tagKeys as string[]) delete tags[key];
    return tags;
  });
};

/** GetTags: GET /v2/tags/{resourceArn} */
export const getTags: OperationHandler = async (input, ctx) => {
  const { stored } = await loadTagged(ctx, input.resourceArn as string);
  return { body: { tags: stored.data.tags ?? {} } };
};
