/**
 * `gatehouse token` against a running `gatehouse serve`: found through server.json in the data dir,
 * `--url` or GATEHOUSE_URL; the token's issuer is the one the server advertises, and verifies
 * against the server's JWKS.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { CliServer } from '../../helpers/cli.js';
import { runCli, startCli } from '../../helpers/cli.js';

describe('gatehouse token with a running server', () => {
  let s: CliServer;
  before(async () => {
    s = await startCli(['--oidc-issuer', 'dev']);
  });
  after(() => s.stop());

  const verify = async (token: string, issuer: string) => {
    const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks.json`.replace(`http://localhost:${s.port}`, s.url)));
    return (await jwtVerify(token, jwks, { issuer })).payload;
  };

  it('finds the server through server.json in --data-dir or GATEHOUSE_DATA_DIR', async () => {
    const issuer = `http://localhost:${s.port}/_gatehouse/oidc/dev`;
    const byFlag = await runCli(['token', '--issuer', 'dev', '--aud', 'pets-api', '--scope', 'pets:read', '--data-dir', s.dataDir]);
    assert.equal(byFlag.code, 0, byFlag.stderr);
    const payload = await verify(byFlag.stdout.trim(), issuer);
    assert.deepEqual([payload.aud, payload.scope], ['pets-api', 'pets:read']);
    const byEnv = await runCli(['token', '--issuer', 'dev'], { env: { GATEHOUSE_DATA_DIR: s.dataDir } });
    assert.equal(byEnv.code, 0, byEnv.stderr);
    await verify(byEnv.stdout.trim(), issuer);
  });

  it('asks the server named by --url or GATEHOUSE_URL (from any directory)', async () => {
    const issuer = `http://localhost:${s.port}/_gatehouse/oidc/dev`;
    for (const run of [runCli(['token', '--issuer', 'dev', '--url', s.url]), runCli(['token', '--issuer', 'dev'], { env: { GATEHOUSE_URL: s.url } })]) {
      const r = await run;
      assert.equal(r.code, 0, r.stderr);
      await verify(r.stdout.trim(), issuer);
    }
  });

  it('creates an issuer the server does not know yet in its data dir, which the server then serves', async () => {
    const discovery = `${s.url}/_gatehouse/oidc/ci/.well-known/openid-configuration`;
    assert.equal((await fetch(discovery)).status, 404);
    const r = await runCli(['token', '--issuer', 'ci', '--data-dir', s.dataDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(s.dataDir, 'oidc', 'ci.json')));
    assert.equal((await fetch(discovery)).status, 200);
    await verify(r.stdout.trim(), `http://localhost:${s.port}/_gatehouse/oidc/ci`);
    const remote = await runCli(['token', '--issuer', 'other', '--url', s.url]);
    assert.equal(remote.code, 2);
    assert.match(remote.stderr, /^gatehouse token: the server at http:\/\/127\.0\.0\.1:\d+ has no OIDC issuer "other", and .*server\.json does not name that server; start it with --oidc-issuer other, or pass its --data-dir\n$/);
  });

  it('says so in one line when no server answers at the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await runCli(['token', '--issuer', 'dev', '--url', `http://127.0.0.1:${port}`]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `gatehouse token: no Gatehouse answers at http://127.0.0.1:${port} (--url): ECONNREFUSED; start it with gatehouse serve, or pass the server's URL with --url or GATEHOUSE_URL\n`);
  });

  it('server.json is removed when the server stops', async () => {
    const other = await startCli([]);
    assert.ok(existsSync(join(other.dataDir, 'server.json')));
    assert.equal(await other.stop(true), 0);
    assert.equal(existsSync(join(other.dataDir, 'server.json')), false);
    await other.stop();
  });
});
