/**
 * Random ids on the hot path, drawn from pre-filled pools so a request does not call into the CSPRNG
 * for each one: request ids shaped like AWS's `apigw-requestid` (`Mc7UVioPPHcEKPA=`: 10 random bytes,
 * base64), and the random part of X-Ray trace ids.
 */
import { randomFillSync } from 'node:crypto';

/** `bytes` random bytes per call in `encoding`, from a pool refilled every 1,024 calls. */
export function randomIdPool(bytes: number, encoding: 'base64' | 'hex'): () => string {
  const ids = 1024;
  const pool = Buffer.alloc(ids * bytes);
  let next = ids;
  return () => {
    if (next === ids) {
      randomFillSync(pool);
      next = 0;
    }
    const start = next++ * bytes;
    return pool.toString(encoding, start, start + bytes);
  };
}

/** A new request id. */
export const newRequestId: () => string = randomIdPool(10, 'base64');
