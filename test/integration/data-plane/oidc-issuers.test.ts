import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { tokenCommand } from '../../../src/cli/token.js';
import { startServer, type TestServer } from '../../helpers/server.js';

/** GET with the path sent as written (fetch would normalize `..` and `%2e%2e`). */
const get = (port: number, path: string) =>
  new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end();
  });

const keyFiles = (s: TestServer) => (existsSync(join(s.dataDir, 'oidc')) ? readdirSync(join(s.dataDir, 'oidc')).sort() : []);

describe('built-in OIDC issuers are created explicitly, never by a request', () => {
  it('--oidc-issuer creates an issuer at start-up; an unknown name is 404 and creates nothing; the CLI creates one the running server serves; both survive a restart', async () => {
    let s = await startServer({ args: ['--oidc-issuer', 'dev'] });
    try {
      assert.deepEqual(keyFiles(s), ['dev.json'], 'the configured issuer has its key before the first request');
      const dev = await get(s.gatehouse.port, '/_gatehouse/oidc/dev/.well-known/openid-configuration');
      assert.equal(dev.status, 200);
      assert.equal(dev.json.issuer, `http://localhost:${s.gatehouse.port}/_gatehouse/oidc/dev`);
      const devKeys = (await get(s.gatehouse.port, '/_gatehouse/oidc/dev/jwks.json')).json;

      for (const path of ['/_gatehouse/oidc/probe/jwks.json', '/_gatehouse/oidc/probe/.well-known/openid-configuration', '/_gatehouse/oidc/%2e%2e%2fdev/jwks.json']) {
        const res = await get(s.gatehouse.port, path);
        assert.equal(res.status, 404, path);
        assert.match(res.json.message as string, /^(No OIDC issuer named "probe"|Invalid OIDC issuer name)/, path);
      }
      assert.deepEqual(keyFiles(s), ['dev.json'], 'requests created no key');

      const url = `http://localhost:${s.gatehouse.port}`;
      const token = await tokenCommand(['--issuer', 'cli', '--aud', 'pets-api', '--data-dir', s.dataDir, '--url', url], {});
      const cli = await get(s.gatehouse.port, '/_gatehouse/oidc/cli/jwks.json');
      assert.equal(cli.status, 200, 'an issuer the CLI created is served without a restart');
      const { payload } = await jwtVerify(token, createLocalJWKSet(cli.json as { keys: [] }), { issuer: `${url}/_gatehouse/oidc/cli`, audience: 'pets-api' });
      assert.equal(payload.sub, 'user');

      await s.stop();
      s = await startServer({ dataDir: s.dataDir });
      assert.deepEqual((await get(s.gatehouse.port, '/_gatehouse/oidc/dev/jwks.json')).json, devKeys, 'same key after a restart without --oidc-issuer');
      assert.deepEqual((await get(s.gatehouse.port, '/_gatehouse/oidc/cli/jwks.json')).json, cli.json);
      assert.equal((await get(s.gatehouse.port, '/_gatehouse/oidc/probe/jwks.json')).status, 404);
      assert.deepEqual(keyFiles(s), ['cli.json', 'dev.json']);
    } finally {
      await s.close();
    }
  });

  it('a server started without issuers generates no key at all', async () => {
    const s = await startServer();
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => get(s.gatehouse.port, `/_gatehouse/oidc/probe${i}/jwks.json`)));
      assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([404]));
      assert.equal(existsSync(join(s.dataDir, 'oidc')), false);
    } finally {
      await s.close();
    }
  });
});
