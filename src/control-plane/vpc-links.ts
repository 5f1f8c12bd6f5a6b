/**
 * VpcLinks: CreateVpcLink, GetVpcLink, GetVpcLinks, UpdateVpcLink, DeleteVpcLink.
 * Gatehouse provisions no network interfaces, so a VPC link is AVAILABLE at once (AWS reports
 * PENDING first); private integrations name it by `connectionId`.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-vpc-links.html
 */
import { isoSeconds } from '../model/ids.js';
import type { StoredResource } from '../store/store.js';
import type { Step } from './batch.js';
import { applySteps } from './batch.js';
import { listPage } from './common.js';
import type { ControlPlaneContext, OperationHandler } from './context.js';
import { BadRequestException, childNotFound, ConflictException } from './errors.js';
import type { Input } from './input.js';
import { checkTags } from './tags.js';
import type { VpcLinkRecord } from '../model/resources.js';


/** AWS's status message of an AVAILABLE VPC link. */
export const VPC_LINK_READY = 'VPC link is ready to route traffic';
/** AWS's status message of a PENDING VPC link. */
const VPC_LINK_PROVISIONING = 'VPC link is provisioning ENIs';

/** "Subnets per VPC link: 10" (http-api-quotas). */
const MAX_SUBNETS = 10;

/**
 * Subnet and security group ids are any non-empty strings: AWS's refusals come from looking them up
 * in EC2, and Gatehouse has no subnets to look up (terraform-provider-aws passes them through).
 */
function checkNetwork(subnetIds: readonly string[], securityGroupIds: readonly string[]): void {
  if (subnetIds.length === 0) throw new BadRequestException('subnetIds must name at least one subnet');
  if (subnetIds.length > MAX_SUBNETS) throw new BadRequestException(`A VPC link can have at most ${MAX_SUBNETS} subnets`);
  for (const id of [...subnetIds, ...securityGroupIds]) {
    if (id.trim() === '') throw new BadRequestException('Subnet and security group ids must not be empty');
  }
}

/** CreateVpcLink: POST /v2/vpclinks */
export const createVpcLink: OperationHandler = async (input, ctx) => {
  const subnetIds = [...new Set(input.subnetIds as string[])];
  const securityGroupIds = [...new Set((input.securityGroupIds as string[] | undefined) ?? [])];
  checkNetwork(subnetIds, securityGroupIds);
  const tags = (input.tags as Record<string, string> | undefined) ?? {};
  checkTags(tags);
  const link: VpcLinkRecord = {
    vpcLinkId: ctx.ids('vpcLink'),
    name: input.name as string,
    subnetIds,
    securityGroupIds,
    tags,
    vpcLinkStatus: 'AVAILABLE',
    vpcLinkStatusMessage: VPC_LINK_READY,
    vpcLinkVersion: 'V2',
    createdDate: isoSeconds(ctx.clock()),
  };
  await applySteps(ctx.store, [{ write: { op: 'insert', kind: 'vpcLink', scope: ctx.scope, id: link.vpcLinkId, data: link } }]);
  // AWS answers PENDING while it provisions network interfaces (the AWS CLI's create-vpc-link
  // example); Gatehouse has none to provision, so the link is AVAILABLE from the next read on.
  return { body: { ...link, vpcLinkStatus: 'PENDING', vpcLinkStatusMessage: VPC_LINK_PROVISIONING }, createdAt: link.createdDate };
};

async function loadVpcLink(ctx: ControlPlaneContext, input: Input): Promise<StoredResource<VpcLinkRecord>> {
  const link = await ctx.store.get<VpcLinkRecord>('vpcLink', ctx.scope, input.vpcLinkId as string);
  if (!link) throw childNotFound('VpcLink', input.vpcLinkId as string);
  return link;
}

/** GetVpcLink: GET /v2/vpclinks/{vpcLinkId} */
export const getVpcLink: OperationHandler = async (input, ctx) => {
  const link = await loadVpcLink(ctx, input);
  return { body: link.data as unknown as Record<string, unknown>, createdAt: link.data.createdDate };
};

/** GetVpcLinks: GET /v2/vpclinks */
export const getVpcLinks: OperationHandler = async (input, ctx) => listPage(ctx, 'vpcLink', ctx.scope, input);

/** UpdateVpcLink: PATCH /v2/vpclinks/{vpcLinkId} — only the name can change. */
export const updateVpcLink: OperationHandler = async (input, ctx) => {
  const current = await loadVpcLink(ctx, input);
  const link: VpcLinkRecord = { ...current.data, ...(input.name !== undefined ? { name: input.name as string } : {}) };
  await applySteps(ctx.store, [
    {
      write: { op: 'update', kind: 'vpcLink', scope: ctx.scope, id: current.id, data: link, ifVersion: current.version },
      onError: { NOT_FOUND: () => childNotFound('VpcLink', current.id) },
    },
  ]);
  return { body: link as unknown as Record<string, unknown>, createdAt: link.createdDate };
};

/**
 * DeleteVpcLink: DELETE /v2/vpclinks/{vpcLinkId} — 202 `{}`. Refused (409) while an integration of
 * any API uses the link; the check runs in the same batch as the delete.
 */
export const deleteVpcLink: OperationHandler = async (input, ctx) => {
  const link = await loadVpcLink(ctx, input);
  const apis = await ctx.store.listAll('api', ctx.scope);
  const inUse = (apiId: string) => (err: { holder?: StoredResource }) =>
    new ConflictException(`Cannot delete VPC link ${link.id}: integration ${err.holder?.id ?? ''} of API ${apiId} uses it`);
  const guards: Step[] = apis.map((api) => ({
    write: { op: 'checkUnreferenced', kind: 'integration', scope: api.id, field: 'connectionId', value: link.id },
    onError: { IN_USE: inUse(api.id) },
  }));
  await applySteps(ctx.store, [
    ...guards,
    { write: { op: 'delete', kind: 'vpcLink', scope: ctx.scope, id: link.id }, onError: { NOT_FOUND: () => childNotFound('VpcLink', link.id) } },
  ]);
  return { body: {} };
};
