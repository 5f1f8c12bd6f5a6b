/**
 * Request ids shaped like AWS's `apigw-requestid` (`Mc7UVioPPHcEKPA=`): 10 random bytes, base64.
 * Drawn from a pre-filled pool so the hot path does not call into the CSPRNG per request.
 */
import { randomFillSync } from 'node:crypto';

const POOL_IDS = 1024;
const pool = Buffer.alloc(POOL_IDS * 10);
let next = POOL_IDS;

/** A new request id. */
export function newRequestId(): string {
  if (next === POOL_IDS) {
    randomFillSync(pool);
    next = 0;
  }
  const start = next++ * 10;
  return pool.toString('base64', start, start + 10);
}
