import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { holdTickObjectShape } from './tick-object-shape.js';
import { literalCacheStates, QUIET_COLLECTIONS } from './tick-object-shape.test-support.js';

const run = promisify(execFile);
const MODULE = new URL('./tick-object-shape.js', import.meta.url).href;

/** A process that runs the quiet collections, holding an entry first or not. */
const SCRIPT = `
const { holdTickObjectShape } = await import(${JSON.stringify(MODULE)});
if (process.argv[1] === 'hold') holdTickObjectShape();
${QUIET_COLLECTIONS}
`;

async function statesAfterQuietCollections(mode: 'hold' | 'control'): Promise<string[]> {
  const { stdout } = await run(process.execPath, ['--allow-natives-syntax', '--expose-gc', '--input-type=module', '-e', SCRIPT, mode], { timeout: 20_000, maxBuffer: 16 * 1024 * 1024 });
  return literalCacheStates(stdout);
}

describe('tick object shape', { timeout: 30_000 }, () => {
  it('without it, full collections at quiet moments leave nextTick\'s entry literal megamorphic; held, its caches stay monomorphic', async () => {
    // The control shows the fall happens on this Node, so the held run's monomorphic caches are the hold at work.
    const control = await statesAfterQuietCollections('control');
    assert.ok(control.length >= 4, `V8 printed nextTick's literal caches (${control.join(' ')})`);
    assert.ok(control.includes('MEGAMORPHIC'), `control: ${control.join(' ')}`);
    const held = await statesAfterQuietCollections('hold');
    assert.equal(held.length, control.length);
    assert.deepEqual(held.filter((s) => s !== 'MONOMORPHIC'), [], `held: ${held.join(' ')}`);
  });

  it('holds a real nextTick entry, once', () => {
    const entry = holdTickObjectShape();
    assert.ok(entry !== undefined);
    const keys = Object.getOwnPropertySymbols(entry).map((s) => s.description);
    assert.ok(keys.includes('async_id_symbol') && keys.includes('trigger_async_id_symbol'), keys.join(', '));
    assert.ok('callback' in entry && 'args' in entry);
    assert.equal(holdTickObjectShape(), entry);
  });
});
