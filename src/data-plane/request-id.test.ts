import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newRequestId, randomIdPool, uuidPool } from './request-id.js';

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

  it('UUID pools give version 4 UUIDs as crypto.randomUUID does, different each time, past refills', () => {
    const uuid = uuidPool();
    const ids = Array.from({ length: 3000 }, () => uuid());
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(new Set(ids).size, ids.length);
    // Every bit outside the version and variant is random: over 3,000 ids each of the 122 free bits is set
    // in about half of them (a digit stuck at 0 or f would be a formatting slip).
    const free = ids.map((id) => Buffer.from(id.replaceAll('-', ''), 'hex'));
    for (let bit = 0; bit < 128; bit++) {
      const [byte, mask] = [bit >> 3, 0x80 >> (bit & 7)];
      if (byte === 6 && mask >= 0x10) continue; // the version
      if (byte === 8 && mask >= 0x40) continue; // the variant
      const set = free.filter((b) => (b[byte]! & mask) !== 0).length;
      assert.ok(set > 1200 && set < 1800, `bit ${bit} set in ${set} of 3000`);
    }
  });
});
