// The preload that keeps the hook scopes' hook on (run by `npm test`: scripts/test.mjs lists bench/**/*.test.mjs too).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('bench/lib/hook-on.mjs', () => {
  it('keeps the hook running past the collection that stops it once runs are over (about 2 s)', () => {
    const script = `
      import { hookScopesRunning } from './dist/src/async-scope.js';
      await new Promise((resolve) => setTimeout(resolve, 3_500));
      console.log(JSON.stringify(hookScopesRunning()));
    `;
    const r = spawnSync(process.execPath, ['--import', './bench/lib/hook-on.mjs', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 15_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout.trim()), true);
  });
});
