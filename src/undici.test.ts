import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { loadUndici, undici } from './undici.js';

const require = createRequire(import.meta.url);

test('each part is the one undici\'s package entry exports (an undici release that moves a file fails here)', () => {
  const entry = require('undici') as typeof import('undici');
  const parts = undici();
  assert.equal(parts.Agent, entry.Agent);
  assert.equal(parts.Pool, entry.Pool);
  assert.equal(parts.util.headerNameToString, entry.util.headerNameToString);
  assert.equal(parts.util.parseHeaders, entry.util.parseHeaders);
  const agent = new parts.Agent();
  assert.equal(agent.request, new entry.Agent().request, 'dispatchers get the entry\'s request API');
  void agent.close();
});

test('request sends the method, path, query, headers and body to the URL through the given dispatcher', async (t) => {
  const seen: { method?: string; url?: string; header?: string | string[]; body: string }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, header: req.headers['x-test'], body });
      res.setHeader('content-type', 'text/plain');
      res.end(`answer to ${req.method}`);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const agent = new (undici().Agent)();
  t.after(async () => {
    await agent.close();
    server.close();
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const got = await undici().request(`${base}/a/b?x=1&y=2#fragment`, { dispatcher: agent, method: 'GET', headers: { 'x-test': 'one' } });
  assert.equal(got.statusCode, 200);
  assert.equal(got.headers['content-type'], 'text/plain');
  assert.equal(await got.body.text(), 'answer to GET');

  const posted = await undici().request(new URL(`${base}/post`), { dispatcher: agent, method: 'POST', body: 'payload' });
  assert.equal(await posted.body.text(), 'answer to POST');
  assert.deepEqual(seen, [
    { method: 'GET', url: '/a/b?x=1&y=2', header: 'one', body: '' },
    { method: 'POST', url: '/post', header: undefined, body: 'payload' },
  ]);
});

test('loading the parts leaves undici\'s fetch, its web modules and Node\'s bundled undici unloaded', () => {
  // A process of its own: this one may have loaded undici's entry (the first test does).
  const script = `
    const { undici } = await import(${JSON.stringify(new URL('./undici.js', import.meta.url).href)});
    const { createRequire } = await import('node:module');
    const parts = undici();
    new parts.Agent(); new parts.Pool('http://127.0.0.1:9');
    // The request API the entry gives every dispatcher is there without it.
    if (typeof parts.Agent.prototype.request !== 'function' || typeof parts.Pool.prototype.request !== 'function') throw new Error('no request API');
    const cache = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify({
      undiciFiles: cache.filter((f) => f.includes('/node_modules/undici/')).length,
      web: cache.filter((f) => f.includes('/node_modules/undici/lib/web/')),
      builtins: process.moduleLoadList.filter((m) => /internal\\/deps\\/undici|NativeModule zlib$|webstreams\\/(readable|writable)stream/.test(m)),
    }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { undiciFiles: number; web: string[]; builtins: string[] };
  assert.ok(out.undiciFiles > 10, `undici's dispatcher modules were loaded (${out.undiciFiles} files)`);
  assert.deepEqual(out.web, []);
  assert.deepEqual(out.builtins, []);
});

test('an undici whose module files moved is loaded through its package entry: the same parts', () => {
  // A later 7.x may move a file (package.json allows ^7): the first upstream call must not fail for it.
  const moved: string[] = [];
  const parts = loadUndici((id: string) => {
    if (id.startsWith('undici/lib/dispatcher/pool')) {
      moved.push(id);
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    }
    return require(id);
  });
  const entry = require('undici') as typeof import('undici');
  assert.deepEqual(moved, ['undici/lib/dispatcher/pool.js']);
  assert.equal(parts.Pool, entry.Pool);
  assert.equal(parts.Agent, entry.Agent);
  assert.equal(typeof parts.request, 'function');
  // Any other failure is not hidden.
  assert.throws(() => loadUndici(() => { throw new SyntaxError('broken'); }), SyntaxError);
});
