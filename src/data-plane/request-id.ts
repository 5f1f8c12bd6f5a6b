/**
 * Random ids on the hot path, drawn from pre-filled pools so a request does not call into the CSPRNG
 * for each one: request ids in AWS's shape, the random part of X-Ray trace ids, and the UUIDs of
 * in-process Lambda invocations (`awsRequestId`).
 */
import { randomFillSync } from 'node:crypto';

const IDS_PER_POOL = 1024;

/** Ids from a pool of 1,024: `fill` makes a new pool when the last is used up, `id(i)` gives the pool's i-th. */
function pooled(fill: () => void, id: (index: number) => string): () => string {
  let next = IDS_PER_POOL;
  return () => {
    if (next === IDS_PER_POOL) {
      fill();
      next = 0;
    }
    return id(next++);
  };
}

/** `bytes` random bytes per call in `encoding`, from a pool refilled every 1,024 calls. */
export function randomIdPool(bytes: number, encoding: 'base64url' | 'hex'): () => string {
  const pool = Buffer.alloc(IDS_PER_POOL * bytes);
  return pooled(
    () => randomFillSync(pool),
    (i) => pool.toString(encoding, i * bytes, (i + 1) * bytes),
  );
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

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const UUID_TEXT = 36;

/**
 * Random (version 4) UUIDs, `1b4e28ba-2fa1-41d2-883f-0016d3cca427`, as `crypto.randomUUID` makes them,
 * formatted a pool at a time: a call is one slice of text, where `randomUUID` builds each from 20
 * concatenated pieces (1,800 of the Lambda route's ~107,000 instructions per request, callgrind).
 */
export function uuidPool(): () => string {
  const random = Buffer.alloc(IDS_PER_POOL * 16);
  const text = Buffer.alloc(IDS_PER_POOL * UUID_TEXT);
  const fill = () => {
    randomFillSync(random);
    let at = 0;
    for (let i = 0; i < random.length; i++) {
      const position = i % 16;
      let byte = random[i]!;
      if (position === 6) byte = (byte & 0x0f) | 0x40; // the version, 4
      else if (position === 8) byte = (byte & 0x3f) | 0x80; // the variant, RFC 9562's
      if (position === 4 || position === 6 || position === 8 || position === 10) text[at++] = 0x2d; // -
      text[at++] = HEX_DIGITS[byte >> 4]!;
      text[at++] = HEX_DIGITS[byte & 0x0f]!;
    }
  };
  return pooled(fill, (i) => text.toString('latin1', i * UUID_TEXT, (i + 1) * UUID_TEXT));
}
