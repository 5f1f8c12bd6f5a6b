import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newRequestId, randomIdPool } from './request-id.js';

describe('request ids', () => {
  it("have AWS's apigw-requestid shape: 11 bytes of URL-safe base64 and the = pad", () => {
    // Real responses: `apigw-requestid: f3B6ZhMRoAMEVuQ=`, `U9euFi_ySQ0EPsw=`, `Mc7UVioPPHcEKPA=` (15 characters
    // of the URL-safe alphabet, then one `=`: 11 bytes).
    const ids = Array.from({ length: 3000 }, () => newRequestId());
    for (const id of ids) {
      assert.match(id, /^[A-Za-z0-9_-]{15}=$/);
      const bytes = Buffer.from(id, 'base64url');
      assert.equal(bytes.length, 11);
      // A canonical encoding: the 15th character's unused low bits are zero, as in any encoding of 11 bytes.
      assert.equal(`${bytes.toString('base64url')}=`, id);
    }
    // Past two refills of the pool (1,024 ids each), all different.
    assert.equal(new Set(ids).size, ids.length);
  });

  it('hex pools (X-Ray trace ids) give the bytes asked for, different each time', () => {
    const trace = randomIdPool(12, 'hex');
    const ids = Array.from({ length: 2100 }, () => trace());
    for (const id of ids) assert.match(id, /^[0-9a-f]{24}$/);
    assert.equal(new Set(ids).size, ids.length);
  });
});
