import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskPassword } from './banner.js';

describe('maskPassword (the banner and the start-up event never print a password)', () => {
  it('masks the password of PostgreSQL and Redis URLs, and leaves URLs without one alone', () => {
    assert.equal(maskPassword('postgres://gatehouse:s3cret@db:5432/gh'), 'postgres://gatehouse:****@db:5432/gh');
    assert.equal(maskPassword('redis://:s3cret@cache:6379/0'), 'redis://:****@cache:6379/0');
    assert.equal(maskPassword('rediss://default:s3cret@cache:6380'), 'rediss://default:****@cache:6380');
    assert.equal(maskPassword('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
    assert.equal(maskPassword('postgres://postgres@127.0.0.1:5432/test'), 'postgres://postgres@127.0.0.1:5432/test');
  });
});
