import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { describe, it } from 'node:test';
import { hostStyleUsable, maskPassword } from './banner.js';

describe('maskPassword (the banner and the start-up event never print a password)', () => {
  it('masks the password of PostgreSQL and Redis URLs, and leaves URLs without one alone', () => {
    assert.equal(maskPassword('postgres://gatehouse:s3cret@db:5432/gh'), 'postgres://gatehouse:****@db:5432/gh');
    assert.equal(maskPassword('redis://:s3cret@cache:6379/0'), 'redis://:****@cache:6379/0');
    assert.equal(maskPassword('rediss://default:s3cret@cache:6380'), 'rediss://default:****@cache:6380');
    assert.equal(maskPassword('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
    assert.equal(maskPassword('postgres://postgres@127.0.0.1:5432/test'), 'postgres://postgres@127.0.0.1:5432/test');
  });
});

describe('hostStyleUsable (host-style invoke URLs only on a name, not an IP address)', () => {
  it('agrees with net.isIP on the hostnames the URL parser writes', () => {
    const urls = [
      'http://localhost:4580',
      'https://gateway.example.com',
      'http://127.0.0.1:4580',
      'http://0x7f.1',
      'http://2130706433',
      'http://1.2.3',
      'http://[::1]:4580',
      'http://[2001:db8::8a2e:370:7334]',
      'http://[::ffff:127.0.0.1]',
      'http://1.2.3.4.nip.io',
      'http://999.example',
      'http://api.v2.example',
    ];
    for (const url of urls) {
      const bare = new URL(url).hostname.replace(/^\[|\]$/g, '');
      assert.equal(hostStyleUsable(url), isIP(bare) === 0, url);
    }
    assert.deepEqual(urls.map(hostStyleUsable), [true, true, false, false, false, false, false, false, false, true, true, true]);
  });
});
