/**
 * Runs a store batch and turns store failures into AWS errors: per step where the caller knows
 * what a failure means (a missing target integration), generically otherwise.
 */
import type { Derive, Store, StoreErrorCode, StoredResource, WriteOp } from '../store/store.js';
import { StoreError } from '../store/store.js';
import type { AwsError } from './errors.js';
import { ConflictException, NotFoundException, TooManyRequestsException } from './errors.js';

/** A write and what its failures mean to the caller. */
export interface Step {
  readonly write: WriteOp;
  readonly onError?: Partial<Record<StoreErrorCode, (err: StoreError) => AwsError>>;
}

/** AWS's message for a write that lost a race (seen in Terraform issues against real AWS). */
export const CONCURRENT_MODIFICATION = 'Unable to complete operation due to concurrent modification. Please try again later.';

/** Maps a store error that no step claimed. */
export function storeErrorToAws(err: StoreError): AwsError {
  switch (err.code) {
    case 'NOT_FOUND':
      return new NotFoundException(err.message);
    case 'UNAVAILABLE':
      return new TooManyRequestsException('The store is busy, retry the request');
    case 'STALE':
      return new ConflictException(CONCURRENT_MODIFICATION);
    case 'CONFLICT':
    case 'IN_USE':
      return new ConflictException(err.message);
  }
}

/** Applies the steps atomically, with `derive`'s writes in the same transaction. */
export async function applySteps(store: Store, steps: readonly Step[], derive?: Derive): Promise<StoredResource[]> {
  try {
    return await store.apply(
      steps.map((s) => s.write),
      derive,
    );
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    const mapped = steps[err.step]?.onError?.[err.code];
    throw mapped ? mapped(err) : storeErrorToAws(err);
  }
}
