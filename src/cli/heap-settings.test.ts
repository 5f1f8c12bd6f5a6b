import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../config.js';
import { heapSettings, heapSettingsNotApplied, nodeFlagGiven } from './heap-settings.js';
import { YOUNG_GENERATION_FLAGS } from './young-generation.js';

const config = (...args: string[]) => loadConfig(args, {});

describe('heap settings serve applies', () => {
  it('the young generation: the configured ceiling, and none at 0, under worker isolation or with node\'s own flags', () => {
    assert.equal(heapSettings(config(), [], undefined).semiSpaceMb, 8, 'the default');
    assert.equal(heapSettings(config('--semi-space-size', '4'), [], undefined).semiSpaceMb, 4);
    assert.equal(heapSettings(config('--semi-space-size', '0'), [], undefined).semiSpaceMb, undefined);
    assert.equal(heapSettings(config('--function-isolation', 'worker'), [], undefined).semiSpaceMb, undefined);
    assert.equal(heapSettings(config(), ['--max-semi-space-size=32'], undefined).semiSpaceMb, undefined);
    assert.equal(heapSettings(config(), [], '--semi-space-growth-factor=4').semiSpaceMb, undefined);
  });

  it('the old generation: the configured percent, and none at 0, under worker isolation or with node\'s own flag', () => {
    assert.equal(heapSettings(config(), [], undefined).heapGrowingPercent, 10, 'the default');
    assert.equal(heapSettings(config('--heap-growing-percent', '25'), [], undefined).heapGrowingPercent, 25);
    assert.equal(heapSettings(config('--heap-growing-percent', '0'), [], undefined).heapGrowingPercent, undefined);
    assert.equal(heapSettings(config('--function-isolation', 'worker'), [], undefined).heapGrowingPercent, undefined);
    assert.equal(heapSettings(config(), ['--heap-growing-percent=50'], undefined).heapGrowingPercent, undefined);
    assert.equal(heapSettings(config(), ['--heap_growing_percent', '50'], undefined).heapGrowingPercent, undefined);
    assert.equal(heapSettings(config(), ['--max-old-space-size=512'], '--max-old-space-size=512').heapGrowingPercent, 10, 'another V8 flag does not count');
  });

  it("each setting steps aside for node's own flag alone: the young generation's flag leaves the old generation's setting", () => {
    assert.deepEqual(heapSettings(config(), ['--max-semi-space-size=32'], undefined), { heapGrowingPercent: 10 });
    assert.deepEqual(heapSettings(config(), ['--heap-growing-percent=50'], undefined), { semiSpaceMb: 8 });
  });

  it("recognises node's own young-generation flags, on its command line or in NODE_OPTIONS", () => {
    const nodeSetsYoungGeneration = (execArgv: string[], nodeOptions: string | undefined) => nodeFlagGiven(YOUNG_GENERATION_FLAGS, execArgv, nodeOptions);
    assert.equal(nodeSetsYoungGeneration([], undefined), false);
    assert.equal(nodeSetsYoungGeneration(['--enable-source-maps'], '--max-old-space-size=512'), false);
    assert.equal(nodeSetsYoungGeneration(['--max-semi-space-size=32'], undefined), true);
    assert.equal(nodeSetsYoungGeneration(['--max_semi_space_size', '32'], undefined), true);
    assert.equal(nodeSetsYoungGeneration([], '--inspect --semi-space-growth-factor=4'), true);
  });

  it('says which changed setting it leaves aside, and why; defaults and 0 go unsaid', () => {
    const notApplied = (c: ReturnType<typeof config>, execArgv: string[] = []) => heapSettingsNotApplied(c, heapSettings(c, execArgv, undefined), execArgv, undefined);
    assert.deepEqual(notApplied(config('--function-isolation', 'worker', '--heap-growing-percent', '25', '--semi-space-size', '4')), [
      '--semi-space-size 4 is not applied: under --function-isolation worker (its handler workers would be held too, and start without the code cache)',
      '--heap-growing-percent 25 is not applied: under --function-isolation worker (its handler workers would be held too, and start without the code cache)',
    ]);
    assert.deepEqual(notApplied(config('--heap-growing-percent', '25'), ['--heap-growing-percent=50']), ['--heap-growing-percent 25 is not applied: node was started with its own --heap-growing-percent=50']);
    assert.deepEqual(notApplied(config('--function-isolation', 'worker')), [], 'the defaults, left aside as the README says');
    assert.deepEqual(notApplied(config('--function-isolation', 'worker', '--heap-growing-percent', '0')), []);
    assert.deepEqual(notApplied(config('--heap-growing-percent', '25')), [], 'applied');
  });
});
