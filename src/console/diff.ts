/**
 * What changed between two deployments of an API: routes (by route key) with their route responses,
 * integrations (by id) with their integration responses,
 * authorizers (by name), models (by name) and the API's own settings, field by field.
 */
import type { DeploymentSnapshot } from '../model/resources.js';
import { byName } from '../text-order.js';

/** One changed resource. */
export interface SnapshotChange {
  readonly kind: 'api' | 'route' | 'integration' | 'authorizer' | 'model';
  /** The route key, integration id, authorizer or model name; the API's name for `api`. */
  readonly key: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** `changed`: the fields that differ, with their values before and after (absent = not set). */
  readonly fields?: readonly { readonly name: string; readonly from?: unknown; readonly to?: unknown }[];
}

/** Fields that differ in every deployment without meaning a change. */
const IGNORED = new Set(['createdDate', 'routeId', 'modelId']);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function fieldChanges(before: Record<string, unknown>, after: Record<string, unknown>) {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((n) => !IGNORED.has(n)).sort();
  return names
    .filter((n) => !same(before[n], after[n]))
    .map((name) => ({ name, ...(before[name] === undefined ? {} : { from: before[name] }), ...(after[name] === undefined ? {} : { to: after[name] }) }));
}

function compare<T extends object>(kind: SnapshotChange['kind'], before: readonly T[], after: readonly T[], keyOf: (item: T) => string): SnapshotChange[] {
  const old = new Map(before.map((i) => [keyOf(i), i]));
  const now = new Map(after.map((i) => [keyOf(i), i]));
  const out: SnapshotChange[] = [];
  for (const [key, item] of now) {
    const was = old.get(key);
    if (!was) out.push({ kind, key, change: 'added' });
    else {
      const fields = fieldChanges(was as Record<string, unknown>, item as Record<string, unknown>);
      if (fields.length > 0) out.push({ kind, key, change: 'changed', fields });
    }
  }
  for (const key of old.keys()) if (!now.has(key)) out.push({ kind, key, change: 'removed' });
  return out.sort((a, b) => byName(a.key, b.key));
}

/** A snapshot's routes, each with its route responses as the field `responses` (ids left out, by key). */
const routesOf = (s: DeploymentSnapshot) =>
  s.routes.map((r) => ({ ...r, responses: (s.routeResponses[r.routeId] ?? []).map(({ routeResponseId: _, ...rest }) => rest).sort((a, b) => byName(a.routeResponseKey, b.routeResponseKey)) }));

/** A snapshot's integrations, each with its integration responses as the field `responses` (ids left out, by key). */
const integrationsOf = (s: DeploymentSnapshot) =>
  s.integrations.map((i) => ({
    ...i,
    responses: (s.integrationResponses[i.integrationId] ?? []).map(({ integrationResponseId: _, ...rest }) => rest).sort((a, b) => byName(a.integrationResponseKey, b.integrationResponseKey)),
  }));

/** The changes from deployment snapshot `from` to `to`. */
export function diffSnapshots(from: DeploymentSnapshot, to: DeploymentSnapshot): SnapshotChange[] {
  const api = fieldChanges(from.api as unknown as Record<string, unknown>, to.api as unknown as Record<string, unknown>);
  return [
    ...(api.length > 0 ? [{ kind: 'api' as const, key: to.api.name, change: 'changed' as const, fields: api }] : []),
    ...compare('route', routesOf(from), routesOf(to), (r) => r.routeKey),
    ...compare('integration', integrationsOf(from), integrationsOf(to), (i) => i.integrationId),
    ...compare('authorizer', from.authorizers, to.authorizers, (a) => a.name),
    ...compare('model', from.models, to.models, (m) => m.name),
  ];
}
