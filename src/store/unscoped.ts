/**
 * Stores written before resources were scoped by account and region hold their APIs, domain names
 * and VPC links under the empty scope, and a domain's API mappings and routing rules under
 * `domainnames/{name}`. At start-up these move to the default account in the server's region (the
 * region they were created in), ids and data kept; each resource moves in one atomic batch, and a
 * node that finds one already moved by another node leaves it be.
 */
import type { AccountRegion } from '../model/account-region.js';
import { accountRegionScope, apiStageRef, DEFAULT_ACCOUNT_ID, domainNameScope } from '../model/account-region.js';
import type { ResourceKind, Store, StoredResource, WriteOp } from './store.js';
import { StoreError } from './store.js';

const TOP_LEVEL: readonly ResourceKind[] = ['api', 'domainName', 'vpcLink'];

const move = (r: StoredResource, scope: string, data: object = r.data): WriteOp[] => [
  { op: 'delete', kind: r.kind, scope: r.scope, id: r.id },
  { op: 'insert', kind: r.kind, scope, id: r.id, ...(r.key === null ? {} : { key: r.key }), data },
];

/** The stage reference a moved API mapping or routing rule carries (they had none before). */
function withStageRef(r: StoredResource): object {
  const data = r.data as { apiId?: string; stage?: string; actions?: { invokeApi?: { apiId: string; stage: string } }[] };
  const target = r.kind === 'routingRule' ? data.actions?.[0]?.invokeApi : data.apiId !== undefined && data.stage !== undefined ? { apiId: data.apiId, stage: data.stage } : undefined;
  return target ? { ...r.data, apiId: target.apiId, apiStage: apiStageRef(target.apiId, target.stage) } : r.data;
}

/** Moves unscoped resources to the default account in `region`; resolves to how many top-level resources moved. */
export async function adoptUnscopedResources(store: Store, region: string): Promise<number> {
  const place: AccountRegion = { accountId: DEFAULT_ACCOUNT_ID, region };
  let moved = 0;
  for (const kind of TOP_LEVEL) {
    for (const r of await store.listAll(kind, '')) {
      const batch = move(r, accountRegionScope(place));
      if (kind === 'domainName') {
        for (const childKind of ['apiMapping', 'routingRule'] as const) {
          for (const child of await store.listAll(childKind, `domainnames/${r.id}`)) batch.push(...move(child, domainNameScope(place, r.id), withStageRef(child)));
        }
      }
      try {
        await store.apply(batch);
        moved++;
      } catch (err) {
        // Another node moved it first.
        if (!(err instanceof StoreError && (err.code === 'NOT_FOUND' || err.code === 'CONFLICT'))) throw err;
      }
    }
  }
  return moved;
}
