import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { holdTickObjectShape } from './tick-object-shape.js';

const run = promisify(execFile);
const MODULE = new URL('./tick-object-shape.js', import.meta.url).href;

/**
 * A process that queues a few ticks, lets the queue empty, and runs a full collection, ten times over: what a
 * server's quiet moments do. Prints V8's own view of `process.nextTick` (`%DebugPrint`: its feedback vector).
 */
const QUIET_COLLECTIONS = `
const { holdTickObjectShape } = await import(${JSON.stringify(MODULE)});
if (process.argv[1] === 'hold') holdTickObjectShape();
const noop = () => {};
for (let round = 0; round < 10; round++) {
  for (let i = 0; i < 20; i++) process.nextTick(noop, i);
  await new Promise((resolve) => setTimeout(resolve, 1));
  globalThis.gc();
}
new Function('f', '%DebugPrint(f)')(process.nextTick);
`;

/** The states of the inline caches that define the tick entry's properties (one per property). */
async function literalCacheStates(mode: 'hold' | 'control'): Promise<string[]> {
  const { stdout } = await run(process.execPath, ['--allow-natives-syntax', '--expose-gc', '--input-type=module', '-e', QUIET_COLLECTIONS, mode], { timeout: 20_000, maxBuffer: 16 * 1024 * 1024 });
  return [...stdout.matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((m) => m[1] as string);
}

describe('tick object shape', { timeout: 30_000 }, () => {
  it('without it, full collections at quiet moments leave nextTick\'s entry literal megamorphic; held, its caches stay monomorphic', async () => {
    // The control shows the fall happens on this Node, so the held run's monomorphic caches are the hold at work.
    const control = await literalCacheStates('control');
    assert.ok(control.length >= 4, `V8 printed nextTick's literal caches (${control.join(' ')})`);
    assert.ok(control.includes('MEGAMORPHIC'), `control: ${control.join(' ')}`);
    const held = await literalCacheStates('hold');
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
