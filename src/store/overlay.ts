/**
 * A reader that shows the store as it will be once some writes are applied: inserts and updates
 * replace or add documents, deletes (with their cascades) hide them. Used to validate what a batch
 * will create before it runs (an imported route naming an imported authorizer) and to snapshot an
 * API inside a derive step whose own writes are not applied yet.
 */
import type { ResourceKind, StoredResource, StoreReader, WriteOp } from './store.js';

const inScope = (scope: string, cascade: string) => scope === cascade || scope.startsWith(`${cascade}/`);

/** `reader` with `ops` applied on top (checks and locks are ignored). */
export function overlayReader(reader: StoreReader, ops: readonly WriteOp[]): StoreReader {
  const written = new Map<string, StoredResource>();
  const deleted = new Set<string>();
  const cascades: string[] = [];
  const keyOf = (kind: ResourceKind, scope: string, id: string) => `${kind}\u0000${scope}\u0000${id}`;
  for (const op of ops) {
    if (op.op !== 'insert' && op.op !== 'update' && op.op !== 'delete') continue;
    const k = keyOf(op.kind, op.scope, op.id);
    if (op.op === 'delete') {
      written.delete(k);
      deleted.add(k);
      if (op.cascade !== undefined) cascades.push(op.cascade);
    } else {
      deleted.delete(k);
      written.set(k, { kind: op.kind, scope: op.scope, id: op.id, key: op.key ?? null, data: op.data as Record<string, unknown>, version: 0, seq: Number.MAX_SAFE_INTEGER });
    }
  }
  const hidden = (kind: ResourceKind, scope: string, id: string) =>
    deleted.has(keyOf(kind, scope, id)) || (!written.has(keyOf(kind, scope, id)) && cascades.some((c) => inScope(scope, c)));
  return {
    async get<T>(kind: ResourceKind, scope: string, id: string) {
      const pending = written.get(keyOf(kind, scope, id));
      if (pending) return pending as StoredResource<T>;
      return hidden(kind, scope, id) ? undefined : reader.get<T>(kind, scope, id);
    },
    async listAll<T>(kind: ResourceKind, scope: string) {
      const stored = (await reader.listAll<T>(kind, scope)).filter((r) => !hidden(kind, scope, r.id));
      const replaced = stored.map((r) => (written.get(keyOf(kind, scope, r.id)) as StoredResource<T> | undefined) ?? r);
      const present = new Set(stored.map((r) => r.id));
      const added = [...written.values()].filter((r) => r.kind === kind && r.scope === scope && !present.has(r.id)) as StoredResource<T>[];
      return [...replaced, ...added];
    },
  };
}
