import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hmacWithPublicKey, signJwt, startIdp, testKey, unsignedJwt, type TestIdp } from '../../../test/fixtures/authorizers/helpers.js';
import { makeInvocation } from '../../../test/fixtures/lambda/invocation.js';
import type { AuthorizerRecord, RouteRecord } from '../../model/resources.js';
import { GatewayError } from '../errors.js';
import type { CompiledAuthorizer } from '../invocation.js';
import { createJwksProvider, type JwksProvider } from './jwks.js';
import { compileJwtAuthorizer, stringifyClaims } from './jwt.js';

const NOW = 1_800_000_000_000;
const nowS = NOW / 1000;
const k1 = testKey('k1');
const k2 = testKey('k2');
const impostor = testKey('k1');
const es = testKey('e1', 'ES256');

const route = (scopes?: string[]): RouteRecord => ({
  routeId: 'r1',
  routeKey: 'GET /pets',
  authorizationType: 'JWT',
  authorizerId: 'au1',
  apiKeyRequired: false,
  createdDate: '2020-01-01T00:00:00Z',
  ...(scopes ? { authorizationScopes: scopes } : {}),
});

const record = (issuer: string, identitySource = ['$request.header.Authorization']): AuthorizerRecord => ({
  authorizerId: 'au1',
  name: 'jwt',
  authorizerType: 'JWT',
  identitySource,
  jwtConfiguration: { issuer, audience: ['my-api', 'other-api'] },
  createdDate: '2020-01-01T00:00:00Z',
});

const withToken = (token: string, header = 'Authorization') => makeInvocation({ path: '/pets', routeKey: 'GET /pets', headers: [[header, token]] });

/** Asserts the gateway error's status, body message, www-authenticate and detail. */
async function refused(promise: Promise<unknown>, status: number, wwwAuthenticate: string | undefined, detail?: string | RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof GatewayError, String(error));
    assert.equal(error.statusCode, status);
    assert.equal(error.message, status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Internal Server Error');
    assert.equal(error.headers['www-authenticate'], wwwAuthenticate);
    if (typeof detail === 'string') assert.equal(error.detail, detail);
    else if (detail) assert.match(error.detail ?? '', detail);
    return true;
  });
}

const invalid = (description: string) => `Bearer scope="" error="invalid_token" error_description="${description}"`;

describe('JWT authorizer', () => {
  let idp: TestIdp;
  let jwks: JwksProvider;
  let claims: Record<string, unknown>;
  let authorizer: CompiledAuthorizer;
  const compile = (scopes?: string[], identitySource?: string[]) =>
    compileJwtAuthorizer(route(scopes), record(idp.issuer, identitySource), { jwks, clock: () => NOW });

  before(async () => {
    idp = await startIdp([k1, es]);
    jwks = createJwksProvider({ clock: () => NOW });
    claims = { iss: idp.issuer, aud: 'my-api', sub: 'alice', iat: nowS - 10, exp: nowS + 3600 };
    authorizer = compile();
  });
  after(async () => {
    await jwks.close();
    await idp.close();
  });

  it('accepts a valid token with or without the Bearer prefix; claims are stringified, scopes null', async () => {
    const token = signJwt(k1, { ...claims, admin: true, groups: ['a', 'b'] });
    const expected = {
      jwt: {
        claims: { iss: idp.issuer, aud: 'my-api', sub: 'alice', iat: String(nowS - 10), exp: String(nowS + 3600), admin: 'true', groups: '[a b]' },
        scopes: null,
      },
    };
    assert.deepEqual(await authorizer.authorize(withToken(`Bearer ${token}`)), expected);
    assert.deepEqual(await authorizer.authorize(withToken(token)), expected);
    assert.deepEqual(await authorizer.authorize(withToken(`bearer ${token}`, 'authorization')), expected);
  });

  it('accepts ES256 tokens', async () => {
    assert.equal((await authorizer.authorize(withToken(signJwt(es, claims)))).jwt?.claims.sub, 'alice');
  });

  it('no token: 401 with a bare Bearer challenge', async () => {
    await refused(authorizer.authorize(makeInvocation({ path: '/pets' })), 401, 'Bearer', 'the token is missing');
    await refused(authorizer.authorize(withToken('Bearer ')), 401, 'Bearer');
  });

  it('expired: 401 "the token has expired"', async () => {
    const token = signJwt(k1, { ...claims, iat: nowS - 7200, exp: nowS - 60 });
    await refused(authorizer.authorize(withToken(token)), 401, invalid('the token has expired'), 'the token has expired');
  });

  it('tolerates a few seconds of clock skew', async () => {
    await authorizer.authorize(withToken(signJwt(k1, { ...claims, exp: nowS - 2, nbf: nowS + 2, iat: nowS + 2 })));
  });

  it('not yet valid (nbf) and issued in the future (iat): 401', async () => {
    await refused(authorizer.authorize(withToken(signJwt(k1, { ...claims, nbf: nowS + 600 }))), 401, invalid('the token is not valid yet'));
    await refused(authorizer.authorize(withToken(signJwt(k1, { ...claims, iat: nowS + 600 }))), 401, invalid('the token was issued in the future'));
  });

  it('a token without exp is refused', async () => {
    const { exp: _exp, ...rest } = claims;
    await refused(authorizer.authorize(withToken(signJwt(k1, rest))), 401, invalid('the token does not have an expiration time'));
  });

  it('wrong issuer: 401', async () => {
    await refused(authorizer.authorize(withToken(signJwt(k1, { ...claims, iss: 'https://evil.example.com' }))), 401, invalid('the token does not have a valid issuer'));
  });

  it('wrong audience: 401 with the header AWS documents', async () => {
    await refused(
      authorizer.authorize(withToken(signJwt(k1, { ...claims, aud: 'someone-else' }))),
      401,
      'Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"',
    );
    assert.ok(await authorizer.authorize(withToken(signJwt(k1, { ...claims, aud: ['x', 'other-api'] }))));
  });

  it('client_id counts only when aud is absent', async () => {
    const { aud: _aud, ...noAud } = claims;
    assert.ok(await authorizer.authorize(withToken(signJwt(k1, { ...noAud, client_id: 'my-api' }))));
    await refused(authorizer.authorize(withToken(signJwt(k1, { ...claims, aud: 'nope', client_id: 'my-api' }))), 401, invalid('the token does not have a valid audience'));
    await refused(authorizer.authorize(withToken(signJwt(k1, noAud))), 401, invalid('the token does not have a valid audience'));
  });

  it('bad signature (another key with the same kid): 401', async () => {
    await refused(authorizer.authorize(withToken(signJwt(impostor, claims))), 401, invalid('the token signature is invalid'));
    const [h, p] = signJwt(k1, claims).split('.');
    const [, , s] = signJwt(k1, { ...claims, sub: 'mallory' }).split('.');
    await refused(authorizer.authorize(withToken(`${h}.${p}.${s}`)), 401, invalid('the token signature is invalid'));
  });

  it('alg none: 401', async () => {
    await refused(authorizer.authorize(withToken(unsignedJwt(claims, 'k1'))), 401, invalid('signing method none is invalid'));
  });

  it('HS256 keyed with the public key: 401', async () => {
    await refused(authorizer.authorize(withToken(hmacWithPublicKey(k1, claims))), 401, invalid('signing method HS256 is invalid'));
  });

  it('garbage and header-injection attempts: 401 with a safe header', async () => {
    await refused(authorizer.authorize(withToken('not.a.jwt')), 401, invalid('the token is malformed'));
    await refused(authorizer.authorize(withToken('abc')), 401, invalid('the token is malformed'));
    const evil = `${Buffer.from(JSON.stringify({ alg: 'x"\r\nset-cookie: a=b', kid: 'k1' })).toString('base64url')}.e30.`;
    await refused(authorizer.authorize(withToken(evil)), 401, invalid('signing method unknown is invalid'));
  });

  it('an unknown kid refetches the JWKS once (rotation)', async () => {
    let now = NOW;
    const rotating = createJwksProvider({ clock: () => now });
    try {
      const a = compileJwtAuthorizer(route(), record(idp.issuer), { jwks: rotating, clock: () => NOW });
      await a.authorize(withToken(signJwt(k1, claims)));
      const before = idp.hits.jwks;
      now += 60_000;
      idp.keys = [k1, es, k2];
      assert.equal((await a.authorize(withToken(signJwt(k2, claims)))).jwt?.claims.sub, 'alice');
      assert.equal(idp.hits.jwks, before + 1);
      await refused(a.authorize(withToken(signJwt(testKey('k3'), claims))), 401, invalid('the token signing key (kid) was not found in the issuer JWKS'));
      assert.equal(idp.hits.jwks, before + 1, 'rate-limited: no second refetch');
    } finally {
      idp.keys = [k1, es];
      await rotating.close();
    }
  });

  it('a remembered (already verified) token still expires, and still needs a valid audience', async () => {
    let now = NOW;
    const a = compileJwtAuthorizer(route(), record(idp.issuer), { jwks, clock: () => now });
    const token = signJwt(k1, { ...claims, exp: nowS + 60 });
    await a.authorize(withToken(token));
    await a.authorize(withToken(token));
    now += 66_000;
    await refused(a.authorize(withToken(token)), 401, invalid('the token has expired'));
    const strict = compileJwtAuthorizer(route(), { ...record(idp.issuer), jwtConfiguration: { issuer: idp.issuer, audience: ['elsewhere'] } }, { jwks, clock: () => NOW });
    await refused(strict.authorize(withToken(token)), 401, invalid('the token does not have a valid audience'));
  });

  it('a key dropped from the JWKS stops verifying once the keys are refetched', async () => {
    let now = NOW;
    const rotating = createJwksProvider({ clock: () => now });
    try {
      const a = compileJwtAuthorizer(route(), record(idp.issuer), { jwks: rotating, clock: () => NOW });
      const old = signJwt(k1, claims);
      await a.authorize(withToken(old));
      await a.authorize(withToken(old));
      idp.keys = [es, k2];
      now += 60_000;
      await a.authorize(withToken(signJwt(k2, claims)));
      await refused(a.authorize(withToken(old)), 401, invalid('the token signing key (kid) was not found in the issuer JWKS'));
    } finally {
      idp.keys = [k1, es];
      await rotating.close();
    }
  });

  it('route scopes: one match is enough; scopes come from scope or scp', async () => {
    const scoped = compile(['pets:read', 'pets:write']);
    const ok = await scoped.authorize(withToken(signJwt(k1, { ...claims, scope: 'openid pets:write' })));
    assert.deepEqual(ok.jwt?.scopes, ['openid', 'pets:write']);
    assert.equal(ok.jwt?.claims.scope, 'openid pets:write');
    assert.deepEqual((await scoped.authorize(withToken(signJwt(k1, { ...claims, scp: ['pets:read'] })))).jwt?.scopes, ['pets:read']);
    assert.deepEqual((await scoped.authorize(withToken(signJwt(k1, { ...claims, scp: 'pets:read x' })))).jwt?.scopes, ['pets:read', 'x']);
  });

  it('scope mismatch: 403 with insufficient_scope', async () => {
    const scoped = compile(['pets:read', 'pets:write']);
    const challenge = 'Bearer scope="pets:read pets:write" error="insufficient_scope" error_description="expected scopes: [pets:read pets:write]"';
    await refused(scoped.authorize(withToken(signJwt(k1, { ...claims, scope: 'openid' }))), 403, challenge, 'expected scopes: [pets:read pets:write]');
    await refused(scoped.authorize(withToken(signJwt(k1, claims))), 403, challenge);
  });

  it('reads the token from a query-string identity source', async () => {
    const q = compile(undefined, ['$request.querystring.token']);
    const token = signJwt(k1, claims);
    assert.ok(await q.authorize(makeInvocation({ path: '/pets', rawQueryString: `a=1&token=${token}` })));
    await refused(q.authorize(withToken(token)), 401, 'Bearer');
  });

  it('an unreachable issuer fails closed with 500', async () => {
    const gone = await startIdp([k1]);
    const issuer = gone.issuer;
    await gone.close();
    const a = compileJwtAuthorizer(route(), record(issuer), { jwks, clock: () => NOW });
    await refused(a.authorize(withToken(signJwt(k1, { ...claims, iss: issuer }))), 500, undefined, /cannot fetch the JWKS/);
  });

  it('an issuer that is not https (nor loopback http) fails closed with 500', async () => {
    const a = compileJwtAuthorizer(route(), record('http://idp.example.com'), { jwks });
    await refused(a.authorize(withToken(signJwt(k1, claims))), 500, undefined, /not an https URL/);
  });
});

describe('stringifyClaims', () => {
  it('renders every value as AWS does', () => {
    assert.deepEqual(
      stringifyClaims({
        s: 'x',
        n: 1787996002,
        f: 1.5,
        t: true,
        f2: false,
        arr: ['admin', 'poweruser'],
        nums: [1, 2],
        nested: [['a', 'b'], 'c'],
        obj: { a: 1, b: ['x'] },
        gone: null,
        empty: [],
      }),
      { s: 'x', n: '1787996002', f: '1.5', t: 'true', f2: 'false', arr: '[admin poweruser]', nums: '[1 2]', nested: '[[a b] c]', obj: '{"a":1,"b":["x"]}', empty: '[]' },
    );
  });

  it('keeps claims named __proto__ or constructor as claims (a token payload is parsed JSON)', () => {
    const claims = stringifyClaims(JSON.parse('{"sub":"u","__proto__":"p","constructor":1}') as Record<string, unknown>);
    assert.equal(JSON.stringify(claims), '{"sub":"u","__proto__":"p","constructor":"1"}');
    assert.equal(Object.getPrototypeOf(claims), Object.prototype);
  });
});
