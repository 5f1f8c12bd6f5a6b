/**
 * Random ids on the hot path, drawn from pre-filled pools so a request does not call into the CSPRNG
 * for each one: request ids in AWS's shape, and the random part of X-Ray trace ids.
 */
import { randomFillSync } from 'node:crypto';

const IDS_PER_POOL = 1024;

/** `bytes` random bytes per call in `encoding`, from a pool refilled every 1,024 calls. */
export function randomIdPool(bytes: number, encoding: 'base64url' | 'hex'): () => string {
  const pool = Buffer.alloc(IDS_PER_POOL * bytes);
  let next = IDS_PER_POOL;
  return () => {
    if (next === IDS_PER_POOL) {
      randomFillSync(pool);
      next = 0;
    }
    const start = next++ * bytes;
    return pool.toString(encoding, start, start + bytes);
  };
}

/**
 * Ids in the shape AWS gives `apigw-requestid`, `$context.requestId` and WebSocket connection ids:
 * 16 characters, 11 random bytes in the URL-safe base64 alphabet with its `=` pad (`f3B6ZhMRoAMEVuQ=`,
 * `U9euFi_ySQ0EPsw=`, `L0SM9cOFvHcCIhw=`), never `/` or `+`. Each id is encoded on its own: a slice of
 * one string holding a whole pool's ids would keep that string alive as long as any id of it lives.
 */
export function awsIdPool(): () => string {
  const next = randomIdPool(11, 'base64url');
  return () => `${next()}=`;
}

/** A new request id (`apigw-requestid`, `$context.requestId`). */
export const newRequestId: () => string = awsIdPool();
