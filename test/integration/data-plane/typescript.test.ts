/**
 * TypeScript handlers without a build step through a real `gatehouse serve`, in both isolation
 * modes: a .ts handler importing another .ts module (as './greeting.js'), .mts and .cts handlers,
 * a stack trace that names the .ts files and lines, and hot reload of an imported .ts module.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ApiGatewayV2Client, CreateApiCommand } from '@aws-sdk/client-apigatewayv2';
import type { CliServer } from '../../helpers/cli.js';
import { ROOT, startCli } from '../../helpers/cli.js';
import { sdkClient } from '../../helpers/server.js';

const FIXTURE = join(ROOT, 'test/fixtures/functions/typescript');
const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

for (const isolation of ['inprocess', 'worker'] as const) {
  describe(`TypeScript handlers (--function-isolation ${isolation})`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-ts-'));
    let s: CliServer;
    let client: ApiGatewayV2Client;
    const urls = new Map<string, string>();

    before(async () => {
      cpSync(FIXTURE, dir, { recursive: true });
      s = await startCli([
        '--function-isolation',
        isolation,
        '--function',
        `js=${join(dir, 'plain.mjs')}#handler`,
        '--function',
        `computed=${join(dir, 'computed.mjs')}#handler`,
        '--function',
        `ts=${join(dir, 'handler.ts')}#handler`,
        '--function',
        `mts=${join(dir, 'module.mts')}#handler`,
        '--function',
        `cts=${join(dir, 'common.cts')}#handler`,
      ]);
      client = sdkClient(s.url);
      for (const name of ['js', 'computed', 'ts', 'mts', 'cts']) {
        const api = await client.send(new CreateApiCommand({ Name: name, ProtocolType: 'HTTP', Target: arn(name) }));
        urls.set(name, `${api.ApiEndpoint}`);
      }
    });
    after(async () => {
      client.destroy();
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const get = async (name: string, path = '/') => {
      const res = await fetch(`${urls.get(name)}${path}`);
      return { status: res.status, body: await res.text() };
    };

    // First: in-process, a JavaScript handler loads without the module hooks unless its sources show
    // TypeScript (module-loader.ts), so this must run before any TypeScript handler registers them.
    it('runs a JavaScript handler that imports a .ts module as ./greeting.js', async () => {
      assert.deepEqual(await get('js'), { status: 200, body: 'hello js, happy' });
    });

    it('runs a JavaScript handler that imports a .ts module through a computed import() in its body', async () => {
      assert.deepEqual(await get('computed'), { status: 200, body: 'hello computed, happy' });
    });

    it('runs a .ts handler that imports another .ts module (an enum: transpiled, not just stripped)', async () => {
      assert.deepEqual(await get('ts'), { status: 200, body: 'hello ts, happy' });
    });

    it('runs .mts handlers as ES modules and .cts handlers (importing another .cts) as CommonJS', async () => {
      assert.deepEqual(await get('mts'), { status: 200, body: 'mts string' });
      assert.deepEqual(await get('cts'), { status: 200, body: 'cts object' });
    });

    it('names the .ts files and lines in the stack of an error (source maps)', async () => {
      const { status, body } = await get('ts', '/fail');
      assert.equal(status, 200);
      const lines = body.split('\n');
      assert.equal(lines[0], 'TypeError: kaboom in greeting.ts');
      assert.equal(lines[1], `    at explode (${join(dir, 'greeting.ts')}:13:9)`);
      assert.equal(lines[2], `    at handler (${join(dir, 'handler.ts')}:12:7)`);
    });

    it('serves an edited .ts module on the next request', async () => {
      const file = join(dir, 'greeting.ts');
      writeFileSync(file, readFileSync(file, 'utf8').replace('`hello ${name}, ${mood}`', '`hi ${name}, ${mood}`'));
      const end = Date.now() + 10_000;
      let last = await get('ts');
      while (last.body !== 'hi ts, happy' && Date.now() < end) last = await get('ts');
      assert.deepEqual(last, { status: 200, body: 'hi ts, happy' });
      await s.waitFor(new RegExp(`"message":"function ts: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} changed, the next invocation runs the new code"`));
      // The JavaScript handler loaded greeting.ts through the hooks: that file is watched too.
      let js = await get('js');
      while (js.body !== 'hi js, happy' && Date.now() < end) js = await get('js');
      assert.deepEqual(js, { status: 200, body: 'hi js, happy' });
    });
  });
}
