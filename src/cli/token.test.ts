import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createPublicKey } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jwtVerify } from 'jose';
import { ConfigError } from '../config.js';
import { tokenCommand } from './token.js';

describe('gatehouse token', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-token-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  const verify = async (token: string, name: string) => {
    const jwk = JSON.parse(await readFile(join(dataDir, 'oidc', `${name}.json`), 'utf8')) as { kty: string };
    return (await jwtVerify(token, createPublicKey({ key: jwk, format: 'jwk' }))).payload;
  };

  it('mints a token signed with the issuer key in the data dir', async () => {
    const token = await tokenCommand(
      ['--issuer', 'dev', '--aud', 'my-api', '--scope', 'pets:read pets:write', '--sub=alice', '--expires-in', '120', '--claims', '{"email":"a@example.com"}', '--data-dir', dataDir],
      {},
    );
    const payload = await verify(token, 'dev');
    assert.equal(payload.iss, 'http://localhost:4580/_gatehouse/oidc/dev');
    assert.equal(payload.aud, 'my-api');
    assert.equal(payload.scope, 'pets:read pets:write');
    assert.equal(payload.sub, 'alice');
    assert.equal(payload.email, 'a@example.com');
    assert.equal((payload.exp as number) - (payload.iat as number), 120);
  });

  it('with no server known (no --url, GATEHOUSE_URL or server.json), signs for GATEHOUSE_PUBLIC_URL or localhost:GATEHOUSE_PORT', async () => {
    const fromPort = await verify(await tokenCommand(['--issuer', 'dev'], { GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_PORT: '5000' }), 'dev');
    assert.equal(fromPort.iss, 'http://localhost:5000/_gatehouse/oidc/dev');
    const fromPublic = await verify(await tokenCommand(['--issuer', 'dev', '--data-dir', dataDir], { GATEHOUSE_PUBLIC_URL: 'https://gw.example.com' }), 'dev');
    assert.equal(fromPublic.iss, 'https://gw.example.com/_gatehouse/oidc/dev');
  });

  it('repeats --aud for several audiences; no --aud, no aud claim', async () => {
    const several = await verify(await tokenCommand(['--issuer', 'dev', '--aud', 'a', '--aud', 'b', '--data-dir', dataDir], {}), 'dev');
    assert.deepEqual(several.aud, ['a', 'b']);
    const none = await verify(await tokenCommand(['--issuer', 'dev', '--data-dir', dataDir], {}), 'dev');
    assert.equal(none.aud, undefined);
  });

  it('refuses bad arguments with a usage error', async () => {
    for (const [argv, message] of [
      [[], /--issuer is required/],
      [['--issuer', '../etc'], /--issuer must be/],
      [['--issuer', 'dev', '--bogus', '1'], /unknown argument --bogus/],
      [['--issuer', 'dev', '--aud'], /--aud needs a value/],
      [['--issuer', 'dev', '--claims', '[1]'], /claims must be a JSON object/],
      [['--issuer', 'dev', '--expires-in', '1h'], /expires_in must be/],
      [['--issuer', 'dev', '--url', 'localhost:4580'], /--url must be an origin/],
    ] as const) {
      await assert.rejects(tokenCommand(argv, { GATEHOUSE_DATA_DIR: dataDir }), (e: unknown) => e instanceof ConfigError && message.test(e.message) && /\(gatehouse token --help\)$/.test(e.message));
    }
  });
});
