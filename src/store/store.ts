/**
 * The Store contract: where every management-API resource lives.
 *
 * Resources are wire-shaped JSON documents addressed by (kind, scope, id). The scope is the
 * parent's path (`''` for top-level resources such as APIs, the API id for its routes, ...).
 * An optional `key` is unique within (kind, scope): the store, not the caller, enforces it.
 * All writes go through `apply`, an atomic batch whose checks and writes either all happen or
 * none do, so a concurrent duplicate CreateRoute gets exactly one success and one CONFLICT.
 * A batch may end with a derive step that reads inside the same transaction and adds writes (an
 * auto-deploy stage's new deployment is committed with the change that caused it, or not at all).
 */

/** The kinds of resources the store holds. */
export type ResourceKind =
  | 'api'
  | 'route'
  | 'integration'
  | 'authorizer'
  | 'stage'
  | 'deployment'
  | 'routeResponse'
  | 'integrationResponse'
  | 'model'
  | 'domainName'
  | 'apiMapping'
  | 'vpcLink'
  | 'routingRule';

/** A stored resource. */
export interface StoredResource<T = Record<string, unknown>> {
  readonly kind: ResourceKind;
  readonly scope: string;
  readonly id: string;
  readonly key: string | null;
  readonly data: T;
  /** Incremented by every update; used for optimistic concurrency. */
  readonly version: number;
  /** Insertion order, used for stable pagination. */
  readonly seq: number;
}

/** One step of an atomic batch. */
export type WriteOp =
  | { readonly op: 'insert'; readonly kind: ResourceKind; readonly scope: string; readonly id: string; readonly key?: string; readonly data: object }
  | {
      readonly op: 'update';
      readonly kind: ResourceKind;
      readonly scope: string;
      readonly id: string;
      readonly key?: string;
      readonly data: object;
      /** Fail with STALE unless the stored version still equals this. */
      readonly ifVersion?: number;
    }
  | {
      readonly op: 'delete';
      readonly kind: ResourceKind;
      readonly scope: string;
      readonly id: string;
      /** Also delete every resource whose scope is this or starts with this + '/'. */
      readonly cascade?: string;
    }
  /** Fail with NOT_FOUND unless the resource exists; it cannot be deleted until the batch commits. */
  | { readonly op: 'check'; readonly kind: ResourceKind; readonly scope: string; readonly id: string }
  /**
   * Like `check`, and serialises the batch against every other batch that locks the same resource
   * (an API's configuration changes lock the API, so their derived deployments see each other).
   */
  | { readonly op: 'lock'; readonly kind: ResourceKind; readonly scope: string; readonly id: string }
  /** Fail with IN_USE if any resource of kind in scope has `data[field] === value`. */
  | { readonly op: 'checkUnreferenced'; readonly kind: ResourceKind; readonly scope: string; readonly field: string; readonly value: string };

/** Why a store operation failed. Driver errors never leave the store. */
export type StoreErrorCode = 'NOT_FOUND' | 'CONFLICT' | 'STALE' | 'IN_USE' | 'UNAVAILABLE';

/** A store failure with a code the control plane maps to an AWS error. */
export class StoreError extends Error {
  override name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** The batch step that failed (its index in the batch). */
    readonly step: number = -1,
    /** For IN_USE: the id of a resource holding the reference. */
    readonly holder?: StoredResource,
  ) {
    super(message);
  }
}

/** A page of resources in insertion order. */
export interface Page<T> {
  readonly items: readonly StoredResource<T>[];
  /** `seq` to pass as `after` for the next page; absent on the last page. */
  readonly next?: number;
}

/** Something changed in these scopes (for snapshot rebuilds on this and other nodes). */
export interface ChangeEvent {
  readonly kinds: readonly ResourceKind[];
  readonly scopes: readonly string[];
}

/** Reads of committed data (outside a batch) or of a batch's own transaction (inside a derive step). */
export interface StoreReader {
  get<T = Record<string, unknown>>(kind: ResourceKind, scope: string, id: string): Promise<StoredResource<T> | undefined>;
  listAll<T = Record<string, unknown>>(kind: ResourceKind, scope: string): Promise<readonly StoredResource<T>[]>;
}

/**
 * Writes derived from the state a batch leaves, computed inside its transaction. It must only
 * read through `reader` (no other I/O): on SQLite the whole transaction runs without yielding to
 * other requests. Throwing rolls the batch back.
 */
export type Derive = (reader: StoreReader) => Promise<readonly WriteOp[]>;

/** The storage contract shared by the SQLite and PostgreSQL implementations. */
export interface Store extends StoreReader {
  findByKey<T = Record<string, unknown>>(kind: ResourceKind, scope: string, key: string): Promise<StoredResource<T> | undefined>;
  list<T = Record<string, unknown>>(kind: ResourceKind, scope: string, page: { limit: number; after?: number }): Promise<Page<T>>;
  /** Every resource of a kind, whatever its scope, in insertion order (the data plane's view across accounts and regions). */
  listEveryScope<T = Record<string, unknown>>(kind: ResourceKind): Promise<readonly StoredResource<T>[]>;
  /** The resource of a kind with this id in any scope (the first inserted, should several scopes hold the id). */
  getInAnyScope<T = Record<string, unknown>>(kind: ResourceKind, id: string): Promise<StoredResource<T> | undefined>;
  /**
   * Runs the batch atomically, then `derive`'s writes in the same transaction; resolves to the
   * stored resources of the insert/update steps (the batch's, then the derived ones), in order.
   * A failing derived write is reported with `step` counted past the batch's own steps.
   */
  apply(batch: readonly WriteOp[], derive?: Derive): Promise<StoredResource[]>;
  /** Subscribes to committed changes; returns the unsubscribe function. */
  watch(listener: (event: ChangeEvent) => void): () => void;
  /** The cheapest round trip to the database (`SELECT 1`): rejects when it cannot be reached (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
