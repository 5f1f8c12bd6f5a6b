import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { makeInvocation } from '../../test/fixtures/lambda/invocation.js';
import type { AuthorizerRecord, RouteRecord } from '../model/resources.js';
import { createJwksProvider } from '../data-plane/authorizers/jwks.js';
import { compileJwtAuthorizer } from '../data-plane/authorizers/jwt.js';
import { createOidcIssuer, mintToken, type OidcIssuer } from './issuer.js';
import { issuerKeyPath } from './keys.js';

interface Running {
  base: string;
  issuer: OidcIssuer;
  close(): Promise<void>;
}

async function start(dataDir: string, issuers: readonly string[] = []): Promise<Running> {
  let base = '';
  const issuer = await createOidcIssuer({ dataDir, issuers, baseUrl: () => base });
  const server: Server = createServer((req, res) => {
    if (!issuer.handle(req, res)) {
      res.writeHead(418);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    get base() {
      return base;
    },
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const json = async (res: Response) => (await res.json()) as Record<string, unknown>;

/** A request whose path is sent as written (fetch would normalize `..` and `%2e%2e`). */
const rawGet = (base: string, path: string, method = 'GET') =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${base}/`, { method, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });

describe('built-in OIDC issuer', () => {
  let dataDir: string;
  let running: Running;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-oidc-'));
    running = await start(dataDir, ['dev', 'ci', 'e2e']);
  });
  after(async () => {
    await running.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves the discovery document', async () => {
    const res = await fetch(`${running.base}/_gatehouse/oidc/dev/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const doc = await json(res);
    const issuer = `${running.base}/_gatehouse/oidc/dev`;
    assert.equal(doc.issuer, issuer);
    assert.equal(doc.jwks_uri, `${issuer}/jwks.json`);
    assert.equal(doc.token_endpoint, `${issuer}/token`);
    assert.deepEqual(doc.id_token_signing_alg_values_supported, ['RS256']);
    assert.equal(running.issuer.issuerUrl('dev'), issuer);
  });

  it('serves its public key as a JWKS, and persists the private key with mode 0600', async () => {
    const jwks = await json(await fetch(`${running.base}/_gatehouse/oidc/dev/jwks.json`));
    const keys = jwks.keys as Record<string, unknown>[];
    assert.equal(keys.length, 1);
    assert.deepEqual(Object.keys(keys[0]!).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
    assert.equal(keys[0]!.alg, 'RS256');
    const path = issuerKeyPath(dataDir, 'dev');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const stored = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    assert.equal(stored.kid, keys[0]!.kid);
    assert.equal(typeof stored.d, 'string');
  });

  it('mints tokens (form body) that verify against its JWKS', async () => {
    const res = await fetch(`${running.base}/_gatehouse/oidc/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ audience: 'my-api', scope: 'pets:read pets:write', sub: 'alice', expires_in: '600', claims: '{"email":"a@example.com"}' }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = await json(res);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 600);
    const jwks = createLocalJWKSet((await json(await fetch(`${running.base}/_gatehouse/oidc/dev/jwks.json`))) as { keys: [] });
    const { payload, protectedHeader } = await jwtVerify(body.access_token as string, jwks, { issuer: `${running.base}/_gatehouse/oidc/dev`, audience: 'my-api' });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.sub, 'alice');
    assert.equal(payload.scope, 'pets:read pets:write');
    assert.equal(payload.email, 'a@example.com');
    assert.equal((payload.exp as number) - (payload.iat as number), 600);
  });

  it('mints tokens from a JSON body, with several audiences or none', async () => {
    const post = (body: unknown) =>
      fetch(`${running.base}/_gatehouse/oidc/ci/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const several = await json(await post({ audience: ['a', 'b'], claims: { client_id: 'c' } }));
    const payload = JSON.parse(Buffer.from((several.access_token as string).split('.')[1] as string, 'base64url').toString()) as Record<string, unknown>;
    assert.deepEqual(payload.aud, ['a', 'b']);
    assert.equal(payload.sub, 'user');
    assert.equal(payload.client_id, 'c');
    const none = await json(await post({}));
    assert.equal('aud' in JSON.parse(Buffer.from((none.access_token as string).split('.')[1] as string, 'base64url').toString()), false);
  });

  it('its tokens pass a JWT authorizer end to end (discovery, JWKS, signature, claims)', async () => {
    const issuer = `${running.base}/_gatehouse/oidc/e2e`;
    const record: AuthorizerRecord = {
      authorizerId: 'a1',
      name: 'local',
      authorizerType: 'JWT',
      identitySource: ['$request.header.Authorization'],
      jwtConfiguration: { issuer, audience: ['my-api'] },
      createdDate: '',
    };
    const route: RouteRecord = { routeId: 'r', routeKey: 'GET /pets', authorizationType: 'JWT', authorizerId: 'a1', authorizationScopes: ['pets:read'], apiKeyRequired: false, createdDate: '' };
    const provider = createJwksProvider();
    try {
      const authorizer = compileJwtAuthorizer(route, record, { jwks: provider });
      const minted = await json(
        await fetch(`${issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ aud: 'my-api', scope: 'pets:read' }) }),
      );
      const result = await authorizer.authorize(makeInvocation({ headers: [['Authorization', `Bearer ${minted.access_token as string}`]] }));
      assert.deepEqual(result.jwt?.scopes, ['pets:read']);
      assert.equal(result.jwt?.claims.iss, issuer);
      const cli = await mintToken({ dataDir, issuerUrl: issuer, name: 'e2e', audience: 'my-api', scope: 'pets:read' });
      assert.ok(await authorizer.authorize(makeInvocation({ headers: [['Authorization', cli]] })), 'a token minted offline (CLI) verifies too');
    } finally {
      await provider.close();
    }
  });

  it('keys persist across restarts: an issuer configured once is served without being configured again (and mintToken uses the same key)', async () => {
    const configured = await start(dataDir, ['persist']);
    const first = await json(await fetch(`${configured.base}/_gatehouse/oidc/persist/jwks.json`));
    await configured.close();
    const again = await start(dataDir);
    try {
      const second = await json(await fetch(`${again.base}/_gatehouse/oidc/persist/jwks.json`));
      assert.deepEqual(second, first);
      const token = await mintToken({ dataDir, issuerUrl: 'http://x', name: 'persist' });
      assert.equal(decodeProtectedHeader(token).kid, (first.keys as { kid: string }[])[0]!.kid);
    } finally {
      await again.close();
    }
  });

  it('serves an issuer the CLI created while it runs; concurrent first requests agree on its key', async () => {
    assert.equal((await fetch(`${running.base}/_gatehouse/oidc/cli/jwks.json`)).status, 404, 'not created yet');
    const token = await mintToken({ dataDir, issuerUrl: `${running.base}/_gatehouse/oidc/cli`, name: 'cli' });
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => fetch(`${running.base}/_gatehouse/oidc/cli/jwks.json`).then(json)));
    for (const a of answers) assert.deepEqual(a, answers[0]);
    assert.equal((answers[0]!.keys as { kid: string }[])[0]!.kid, decodeProtectedHeader(token).kid);
  });

  it('answers 404 for an issuer nobody created, on every endpoint, and creates no key', async () => {
    const before = (await readdir(join(dataDir, 'oidc'))).sort();
    const base = `${running.base}/_gatehouse/oidc/probe`;
    for (const res of [
      await fetch(`${base}/jwks.json`),
      await fetch(`${base}/.well-known/openid-configuration`),
      await fetch(`${base}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
    ]) {
      assert.equal(res.status, 404);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/);
      const body = await json(res);
      assert.match(body.message as string, /^No OIDC issuer named "probe": issuers are created at start-up \(--oidc-issuer probe, GATEHOUSE_OIDC_ISSUERS or oidcIssuers in --config\) or by `gatehouse token --issuer probe`/);
    }
    assert.equal((await fetch(`${base}/jwks.json`, { method: 'HEAD' })).status, 404);
    assert.deepEqual((await readdir(join(dataDir, 'oidc'))).sort(), before, 'no key file was created');
    await assert.rejects(stat(issuerKeyPath(dataDir, 'probe')), { code: 'ENOENT' });
  });

  it('keeps path tricks away from the file system: names are one segment of A-Z a-z 0-9 _ -, at most 64', async () => {
    const before = (await readdir(join(dataDir, 'oidc'))).sort();
    const parent = (await readdir(dataDir)).sort();
    for (const path of [
      '/_gatehouse/oidc/../dev/jwks.json',
      '/_gatehouse/oidc/%2e%2e/jwks.json',
      '/_gatehouse/oidc/..%2Fdev/jwks.json',
      '/_gatehouse/oidc/dev%2F..%2F..%2Fx/jwks.json',
      '/_gatehouse/oidc/dev.json/jwks.json',
      `/_gatehouse/oidc/${'a'.repeat(65)}/jwks.json`,
      '/_gatehouse/oidc//jwks.json',
    ]) {
      const res = await rawGet(running.base, path);
      assert.equal(res.status, 404, path);
      assert.match((JSON.parse(res.body) as { message: string }).message, /^Invalid OIDC issuer name/, path);
    }
    assert.equal((await rawGet(running.base, `/_gatehouse/oidc/${'a'.repeat(64)}/jwks.json`)).status, 404, '64 characters is a valid, uncreated name');
    assert.deepEqual((await readdir(join(dataDir, 'oidc'))).sort(), before);
    assert.deepEqual((await readdir(dataDir)).sort(), parent);
  });

  it('rejects bad token requests with 400 invalid_request', async () => {
    const post = (body: string, type = 'application/json') => fetch(`${running.base}/_gatehouse/oidc/dev/token`, { method: 'POST', headers: { 'content-type': type }, body });
    for (const [body, type, description] of [
      ['{', 'application/json', /not valid JSON/],
      ['[]', 'application/json', /JSON object/],
      ['{"expires_in":"soon"}', 'application/json', /expires_in/],
      ['{"audience":5}', 'application/json', /audience/],
      ['claims=[1]', 'application/x-www-form-urlencoded', /claims must be a JSON object/],
      ['sub=', 'application/x-www-form-urlencoded', /sub must be/],
      [`claims=${'x'.repeat(70_000)}`, 'application/x-www-form-urlencoded', /larger than 65536 bytes/],
    ] as const) {
      const res = await post(body, type);
      assert.equal(res.status, 400, body);
      const answer = await json(res);
      assert.equal(answer.error, 'invalid_request');
      assert.match(answer.error_description as string, description);
    }
  });

  it('answers 404 and 405 where it should, and leaves other paths alone', async () => {
    assert.equal((await fetch(`${running.base}/_gatehouse/oidc/dev/userinfo`)).status, 404);
    assert.equal((await fetch(`${running.base}/_gatehouse/oidc/bad%20name/jwks.json`)).status, 404);
    assert.equal((await fetch(`${running.base}/_gatehouse/oidc/dev/token`)).status, 405);
    const put = await fetch(`${running.base}/_gatehouse/oidc/dev/jwks.json`, { method: 'PUT', body: 'x' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'GET, HEAD');
    assert.equal((await fetch(`${running.base}/_gatehouse/health`)).status, 418, 'not an issuer path: handle() returns false');
  });

  it('can run without the token endpoint (discovery and JWKS only)', async () => {
    const closed = await createOidcIssuer({ dataDir, baseUrl: () => 'http://localhost', tokenEndpoint: false });
    const server = createServer((req, res) => void closed.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/_gatehouse/oidc/dev`;
    try {
      assert.equal((await fetch(`${base}/token`, { method: 'POST', body: 'aud=x' })).status, 404);
      assert.equal((await fetch(`${base}/jwks.json`)).status, 200);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
