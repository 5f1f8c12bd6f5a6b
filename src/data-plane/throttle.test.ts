import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketFor, TokenBucket } from './throttle.js';

describe('TokenBucket', () => {
  it('allows a burst, then refills at the rate', () => {
    const bucket = new TokenBucket(2, 3, 0);
    assert.deepEqual([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)], [true, true, true, false]);
    assert.equal(bucket.take(400), false, '0.8 tokens after 400 ms at 2/s');
    assert.equal(bucket.take(500), true, '1 token after 500 ms');
    assert.equal(bucket.take(10_000), true);
    assert.equal(bucket.take(10_000), true);
    assert.equal(bucket.take(10_000), true, 'refill is capped at the burst');
    assert.equal(bucket.take(10_000), false);
  });

  it('a limit of 0 blocks everything; no limits means no bucket', () => {
    const zero = bucketFor({ throttlingRateLimit: 0, throttlingBurstLimit: 0 });
    assert.equal(zero?.take(), false);
    assert.equal(bucketFor({}), undefined);
    assert.equal(bucketFor(undefined), undefined);
  });
});
