/**
 * The README runs as written: its `<!-- runnable -->` blocks (readme-blocks.ts) run in order in one
 * bash session, in this checkout, with an environment holding nothing of Gatehouse's or AWS's but
 * what the README itself exports, and a HOME without AWS configuration.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { childEnv, CLI, ROOT } from '../helpers/cli.js';
import { readmeScript, runnableBlocks, splitComment } from './readme-blocks.js';

const missing = ['aws', 'curl', 'bash'].filter((c) => spawnSync(c, ['--version']).error !== undefined);

describe('README runnable blocks', { skip: missing.length > 0 ? `not installed: ${missing.join(', ')}` : false }, () => {
  let dir: string;
  let port: number;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-readme-'));
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the blocks and their expectations', () => {
    const blocks = runnableBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    assert.ok(blocks.length >= 5, `${blocks.length} runnable blocks`);
    const { checks } = readmeScript(blocks, 1);
    assert.ok(checks.some((c) => c.kind === 'status' && c.status === 401), 'the 401 of the JWT route is checked');
    assert.ok(checks.some((c) => c.kind === 'fails'), 'the --strict refusal is checked');
    assert.deepEqual(splitComment(`curl -H "a # b" '$x#y' x#y  # 200 {"a":1}`), { code: `curl -H "a # b" '$x#y' x#y`, comment: '200 {"a":1}' });
  });

  it('every block runs, every stated status, body and error holds', async () => {
    const blocks = runnableBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    const { script, checks } = readmeScript(blocks, port);
    const checksDir = join(dir, 'checks');
    mkdirSync(checksDir, { recursive: true });
    writeFileSync(join(dir, 'readme.sh'), script);
    const home = join(dir, 'home');
    mkdirSync(home, { recursive: true });
    // What the blocks make with mktemp (the hot-reload example's function directory) goes in here, removed after.
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp, { recursive: true });
    const env = childEnv({
      HOME: home,
      TMPDIR: tmp,
      GATEHOUSE_PORT: String(port),
      GATEHOUSE_DATA_DIR: join(dir, 'data'),
      README_PORT: String(port),
      README_CLI: CLI,
      README_ROOT: ROOT,
      README_CHECKS: checksDir,
    });
    const result = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn('bash', [join(dir, 'readme.sh')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      const timer = setTimeout(() => child.kill('SIGTERM'), 240_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });
    const serverLog = () => {
      try {
        return readFileSync(join(checksDir, 'server.log'), 'utf8').slice(-4000);
      } catch {
        return '';
      }
    };
    assert.equal(result.code, 0, `the README's commands failed:\n${result.output}\n--- server log\n${serverLog()}`);
    for (const check of checks) {
      if (check.kind === 'status') {
        const status = Number(readFileSync(join(checksDir, `${check.id}.status`), 'utf8'));
        const body = readFileSync(join(checksDir, `${check.id}.body`), 'utf8');
        assert.equal(status, check.status, `${check.line}\n${body}`);
        if (check.body !== undefined) assert.deepEqual(JSON.parse(body), check.body, check.line);
      } else {
        const exit = Number(readFileSync(join(checksDir, `${check.id}.exit`), 'utf8'));
        const out = readFileSync(join(checksDir, `${check.id}.out`), 'utf8').replace(/\s+/g, ' ');
        assert.notEqual(exit, 0, `${check.line} should fail`);
        assert.ok(out.includes(check.text.replace(/\s+/g, ' ')), `${check.line}\nexpected: ${check.text}\ngot: ${out}`);
      }
    }
  });
});
