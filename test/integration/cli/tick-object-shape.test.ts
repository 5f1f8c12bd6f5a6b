/**
 * `gatehouse serve` keeps `process.nextTick`'s entry literal monomorphic through quiet full collections
 * (src/cli/tick-object-shape.ts; its unit test has the control that falls without the hold). This test fails if
 * serve stopped holding the entry: checked by removing the call.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { literalCacheStates, QUIET_COLLECTIONS } from '../../../src/cli/tick-object-shape.test-support.js';
import { CLI, ROOT, childEnv } from '../../helpers/cli.js';

/** Loaded before the CLI: once the server listens, the quiet collections, then the process ends. */
const PRELOAD = `
const wait = setInterval(() => {
  if (!process.getActiveResourcesInfo().includes('TCPServerWrap')) return;
  clearInterval(wait);
  void (async () => {
${QUIET_COLLECTIONS}
    process.exit(0);
  })();
}, 20);
`;

describe('gatehouse serve and nextTick\'s entry shape', { timeout: 60_000 }, () => {
  it('a serving process keeps the entry literal\'s caches monomorphic through quiet full collections', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-tick-'));
    try {
      const preload = join(dir, 'quiet-collections.cjs');
      writeFileSync(preload, PRELOAD);
      const child = spawn(process.execPath, ['--allow-natives-syntax', '--expose-gc', '--require', preload, CLI, 'serve', '--port', '0', '--data-dir', join(dir, 'data')], {
        cwd: ROOT,
        env: childEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(code, 0, err);
      const states = literalCacheStates(out);
      assert.ok(states.length >= 4, `V8 printed nextTick's literal caches (${states.join(' ')}):\n${err}`);
      assert.deepEqual(states.filter((s) => s !== 'MONOMORPHIC'), [], states.join(' '));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
