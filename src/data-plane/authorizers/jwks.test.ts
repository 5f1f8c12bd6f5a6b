import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startIdp, testKey, type TestIdp } from '../../../test/fixtures/authorizers/helpers.js';
import { createJwksProvider, isAllowedIssuerUrl, JwksKeyNotFoundError, JwksUnavailableError } from './jwks.js';

const k1 = testKey('k1');
const k2 = testKey('k2');
const es = testKey('e1', 'ES256');

describe('JwksProvider', () => {
  let idp: TestIdp;
  before(async () => {
    idp = await startIdp([k1]);
  });
  after(() => idp.close());

  const reset = () => {
    idp.keys = [k1];
    idp.hits.discovery = 0;
    idp.hits.jwks = 0;
    idp.jwksOverride = undefined;
    idp.delayMs = 0;
  };

  it('discovers jwks_uri, fetches the JWKS once and caches it', async () => {
    reset();
    const jwks = createJwksProvider();
    try {
      const key = await jwks.getKey(idp.issuer, { kid: 'k1', alg: 'RS256' });
      assert.equal(key.type, 'public');
      await jwks.getKey(idp.issuer, { kid: 'k1', alg: 'RS256' });
      await jwks.getKey(idp.issuer, { kid: 'k1', alg: 'RS256' });
      assert.deepEqual(idp.hits, { discovery: 1, jwks: 1 });
    } finally {
      await jwks.close();
    }
  });

  it('concurrent requests share one in-flight fetch', async () => {
    reset();
    idp.delayMs = 50;
    const jwks = createJwksProvider();
    try {
      await Promise.all(Array.from({ length: 20 }, () => jwks.getKey(idp.issuer, { kid: 'k1', alg: 'RS256' })));
      assert.deepEqual(idp.hits, { discovery: 1, jwks: 1 });
    } finally {
      await jwks.close();
    }
  });

  it('an unknown kid refetches (key rotation), at most once per 30 s per issuer', async () => {
    reset();
    let now = 1_000_000;
    const jwks = createJwksProvider({ clock: () => now });
    try {
      await jwks.getKey(idp.issuer, { kid: 'k1', alg: 'RS256' });
      now += 31_000;
      idp.keys = [k1, k2];
      await jwks.getKey(idp.issuer, { kid: 'k2', alg: 'RS256' });
      assert.equal(idp.hits.jwks, 2, 'rotation: one refetch finds the new key');
      await assert.rejects(jwks.getKey(idp.issuer, { kid: 'forged-1', alg: 'RS256' }), JwksKeyNotFoundError);
      await assert.rejects(jwks.getKey(idp.issuer, { kid: 'forged-2', alg: 'RS256' }), JwksKeyNotFoundError);
      assert.equal(idp.hits.jwks, 2, 'unknown kids within 30 s of the last fetch do not refetch');
      now += 30_000;
      await assert.rejects(jwks.getKey(idp.issuer, { kid: 'forged-3', alg: 'RS256' }), JwksKeyNotFoundError);
      assert.equal(idp.hits.jwks, 3, 'after 30 s an unknown kid may refetch again');
    } finally {
      await jwks.close();
    }
  });

  it('concurrent unknown-kid requests share the one refetch', async () => {
    reset();
    let now = 1_000_000;
    const jwks = createJwksProvider({ clock: () => now });
    try {
      await jwks.getKey(idp.issuer, { kid: 'k1', alg: 'RS256' });
      now += 60_000;
      idp.keys = [k1, k2];
      idp.delayMs = 30;
      await Promise.all(Array.from({ length: 5 }, () => jwks.getKey(idp.issuer, { kid: 'k2', alg: 'RS256' })));
      assert.equal(idp.hits.jwks, 2);
    } finally {
      await jwks.close();
    }
  });

  it('matches kid, key type and curve to the algorithm', async () => {
    reset();
    idp.keys = [k1, es];
    const jwks = createJwksProvider();
    try {
      assert.equal((await jwks.getKey(idp.issuer, { kid: 'e1', alg: 'ES256' })).type, 'public');
      await assert.rejects(jwks.getKey(idp.issuer, { kid: 'k1', alg: 'ES256' }), JwksKeyNotFoundError);
      await assert.rejects(jwks.getKey(idp.issuer, { kid: 'k1', alg: 'RS384' }), JwksKeyNotFoundError, 'the JWK says alg RS256');
      await assert.rejects(jwks.getKey(idp.issuer, { kid: 'e1', alg: 'ES384' }), JwksKeyNotFoundError);
      await assert.rejects(jwks.getKey(idp.issuer, { kid: 'k1', alg: 'HS256' }), { name: 'JwksKeyNotFoundError', message: 'signing method HS256 is invalid' });
      await assert.rejects(jwks.getKey(idp.issuer, { alg: 'RS256' }), { message: 'the token does not have a kid header' });
    } finally {
      await jwks.close();
    }
  });

  it('a JWKS over 150000 bytes is refused', async () => {
    reset();
    idp.jwksOverride = JSON.stringify({ keys: [k1.jwk], padding: 'x'.repeat(150_001) });
    const jwks = createJwksProvider();
    try {
      await assert.rejects(jwks.getKey(idp.issuer, { kid: 'k1', alg: 'RS256' }), (e: Error) => e instanceof JwksUnavailableError && /larger than 150000 bytes/.test(e.message));
    } finally {
      await jwks.close();
    }
  });

  it('a slow issuer times out (1500 ms quota; shortened here)', async () => {
    reset();
    idp.delayMs = 300;
    const jwks = createJwksProvider({ timeoutMs: 100 });
    try {
      await assert.rejects(jwks.getKey(idp.issuer, { kid: 'k1', alg: 'RS256' }), JwksUnavailableError);
    } finally {
      await jwks.close();
    }
  });

  it('a JWKS that is not JSON is an unavailable issuer, and failures back off', async () => {
    reset();
    idp.jwksOverride = '<html>';
    let now = 5_000_000;
    const jwks = createJwksProvider({ clock: () => now });
    try {
      await assert.rejects(jwks.getKey(idp.issuer, { kid: 'k1', alg: 'RS256' }), /is not JSON/);
      idp.jwksOverride = undefined;
      await assert.rejects(jwks.getKey(idp.issuer, { kid: 'k1', alg: 'RS256' }), JwksUnavailableError);
      assert.equal(idp.hits.jwks, 1, 'within the back-off the issuer is not asked again');
      now += 5_000;
      await jwks.getKey(idp.issuer, { kid: 'k1', alg: 'RS256' });
      assert.equal(idp.hits.jwks, 2);
    } finally {
      await jwks.close();
    }
  });

  it('keys older than two hours are refetched, and kept when the issuer is down', async () => {
    reset();
    let now = 0;
    const jwks = createJwksProvider({ clock: () => now });
    try {
      await jwks.getKey(idp.issuer, { kid: 'k1', alg: 'RS256' });
      now += 2 * 3600_000;
      await jwks.getKey(idp.issuer, { kid: 'k1', alg: 'RS256' });
      assert.equal(idp.hits.jwks, 2);
      now += 2 * 3600_000;
      idp.jwksOverride = 'garbage';
      assert.equal((await jwks.getKey(idp.issuer, { kid: 'k1', alg: 'RS256' })).type, 'public', 'stale keys still verify');
      assert.equal(idp.hits.jwks, 3);
    } finally {
      await jwks.close();
    }
  });

  it('remembers verified tokens per key generation, within its bound', async () => {
    reset();
    let now = 0;
    const jwks = createJwksProvider({ clock: () => now, maxVerifiedTokens: 2 });
    try {
      await jwks.getKey(idp.issuer, { kid: 'k1', alg: 'RS256' });
      const generation = jwks.generation(idp.issuer);
      assert.equal(generation, 1);
      jwks.remember(idp.issuer, 't1', { sub: '1' }, generation);
      jwks.remember(idp.issuer, 't0', { sub: '0' }, 0);
      assert.deepEqual(jwks.recall(idp.issuer, 't1'), { sub: '1' });
      assert.equal(jwks.recall(idp.issuer, 't0'), undefined, 'verified under an older generation');
      assert.equal(jwks.recall('https://other.example.com', 't1'), undefined, 'per issuer');
      jwks.remember(idp.issuer, 't2', { sub: '2' }, generation);
      jwks.remember(idp.issuer, 't3', { sub: '3' }, generation);
      assert.equal(jwks.recall(idp.issuer, 't1'), undefined, 'least recently used dropped past the bound');
      now += 31_000;
      await assert.rejects(jwks.getKey(idp.issuer, { kid: 'new', alg: 'RS256' }), JwksKeyNotFoundError);
      assert.equal(jwks.generation(idp.issuer), 2);
      assert.equal(jwks.recall(idp.issuer, 't3'), undefined, 'a refetch forgets every remembered token');
    } finally {
      await jwks.close();
    }
  });

  it('accepts http only for loopback issuers', async () => {
    assert.equal(isAllowedIssuerUrl('https://cognito-idp.us-east-1.amazonaws.com/pool'), true);
    assert.equal(isAllowedIssuerUrl('http://localhost:4580/_gatehouse/oidc/dev'), true);
    assert.equal(isAllowedIssuerUrl('http://127.0.0.1:8080/realms/x'), true);
    assert.equal(isAllowedIssuerUrl('http://[::1]:8080/'), true);
    assert.equal(isAllowedIssuerUrl('http://example.com/'), false);
    assert.equal(isAllowedIssuerUrl('http://localhost.example.com/'), false);
    assert.equal(isAllowedIssuerUrl('ftp://localhost/'), false);
    assert.equal(isAllowedIssuerUrl('not a url'), false);
    const jwks = createJwksProvider();
    try {
      await assert.rejects(jwks.getKey('http://example.com/idp', { kid: 'k1', alg: 'RS256' }), /not an https URL/);
    } finally {
      await jwks.close();
    }
  });

  it('reaches a loopback issuer named localhost', async () => {
    reset();
    const jwks = createJwksProvider();
    try {
      const issuer = idp.issuer.replace('127.0.0.1', 'localhost');
      assert.equal((await jwks.getKey(issuer, { kid: 'k1', alg: 'RS256' })).type, 'public');
    } finally {
      await jwks.close();
    }
  });
});
