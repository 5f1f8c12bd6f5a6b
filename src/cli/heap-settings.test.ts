import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../config.js';
import { heapSettings, nodeFlagGiven } from './heap-settings.js';
import { YOUNG_GENERATION_FLAGS } from './young-generation.js';

const config = (...args: string[]) => loadConfig(args, {});
const applied = (c: ReturnType<typeof config>, execArgv: string[] = [], nodeOptions?: string) => heapSettings(c, execArgv, nodeOptions).applied;

/**
 * One rule for both settings, so one table: the value applied (undefined: left to V8) for a configuration, node's
 * command line and NODE_OPTIONS.
 */
const CASES: { field: 'semiSpaceMb' | 'heapGrowingPercent'; rows: [string[], string[], string | undefined, number | undefined, string?][] }[] = [
  {
    field: 'semiSpaceMb',
    rows: [
      [[], [], undefined, 8, 'the default'],
      [['--semi-space-size', '4'], [], undefined, 4],
      [['--semi-space-size', '0'], [], undefined, undefined],
      [['--function-isolation', 'worker'], [], undefined, undefined],
      [[], ['--max-semi-space-size=32'], undefined, undefined],
      [[], [], '--semi-space-growth-factor=4', undefined],
    ],
  },
  {
    field: 'heapGrowingPercent',
    rows: [
      [[], [], undefined, 10, 'the default'],
      [['--heap-growing-percent', '25'], [], undefined, 25],
      [['--heap-growing-percent', '0'], [], undefined, undefined],
      [['--function-isolation', 'worker'], [], undefined, undefined],
      [[], ['--heap-growing-percent=50'], undefined, undefined],
      [[], ['--heap_growing_percent', '50'], undefined, undefined],
      [[], ['--max-old-space-size=512'], '--max-old-space-size=512', 10, 'another V8 flag does not count'],
    ],
  },
];

describe('heap settings serve applies', () => {
  for (const { field, rows } of CASES) {
    it(`${field}: the configured value, and none at 0, under worker isolation or with node's own flags`, () => {
      for (const [args, execArgv, nodeOptions, expected, why] of rows) {
        assert.equal(applied(config(...args), execArgv, nodeOptions)[field], expected, why ?? `${args.join(' ')} | ${execArgv.join(' ')} | ${nodeOptions ?? ''}`);
      }
    });
  }

  it("each setting steps aside for node's own flag alone: the young generation's flag leaves the old generation's setting", () => {
    assert.deepEqual(applied(config(), ['--max-semi-space-size=32']), { heapGrowingPercent: 10 });
    assert.deepEqual(applied(config(), ['--heap-growing-percent=50']), { semiSpaceMb: 8 });
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
    const notApplied = (c: ReturnType<typeof config>, execArgv: string[] = []) => heapSettings(c, execArgv, undefined).notApplied;
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
