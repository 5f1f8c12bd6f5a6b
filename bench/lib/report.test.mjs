// Unit tests of the benchmark's report (run by `npm test`: scripts/test.mjs lists bench/**/*.test.mjs too).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checksOf, intervalNotes, medianInterval, pooledSamples, steadiness } from './report.mjs';

/** Samples as bench/run.mjs collects them: id → rounds of load results (only what the report reads here). */
const samples = (rows) =>
  new Map(Object.entries(rows).map(([id, cpu]) => [id, { what: id, process: 'x', rounds: cpu.map((c) => (c === undefined ? undefined : { cpuUsPerRequest: c, rps: 1e6 / c, p99Ms: 1, rssMb: 90 })) }]));

describe('benchmark report: steadiness', () => {
  it('lists the ratios by CPU round by round, and no warning when every row stayed within 1.2×', () => {
    const notes = steadiness(samples({ b: [36, 37, 38], c: [49, 50, 48], d: [18, 18.5, 19], e: [28, 29, 30] }));
    assert.deepEqual(notes, ['by CPU/req, round by round: c/b 0.73 0.74 0.79; e/d 0.64 0.64 0.63']);
  });

  it('names each row whose CPU per request moved by more than 1.2× across its rounds: the run is not conclusive', () => {
    // The run of 2026-12-07 at 18da2df: (b) 59.3, 50.8, 105.8 µs and (e) 70.2, 56.1, 46.8 µs; (c) and (d) held.
    const notes = steadiness(samples({ b: [59.3, 50.8, 105.8], c: [73.2, 80.7, 121.1], d: [29.9, 31.3, 29.9], e: [70.2, 56.1, 46.8] }));
    assert.equal(notes.length, 2);
    assert.equal(notes[0], 'by CPU/req, round by round: c/b 0.81 0.63 0.87; e/d 0.43 0.56 0.64');
    assert.equal(
      notes[1],
      'not steady: CPU µs/req varied by more than 1.2× across rounds in (b) 50.8 to 105.8, (c) 73.2 to 121.1, (e) 46.8 to 70.2; ' +
        'other load on the machine moved these rows, so a ratio from this run is conclusive only where the interval of its median clears the target (5 or more rounds give ' +
        'one; bench/ab.mjs runs two builds side by side through the same noise)',
    );
  });

  it('pairs only rounds that measured both rows, and says nothing of a single round', () => {
    assert.deepEqual(steadiness(samples({ d: [18, undefined, 20], e: [30, 31, 40] })), ['by CPU/req, round by round: e/d 0.60 0.50', 'not steady: CPU µs/req varied by more than 1.2× across rounds in (e) 30.0 to 40.0; other load on the machine moved these rows, so a ratio from this run is conclusive only where the interval of its median clears the target (5 or more rounds give one; bench/ab.mjs runs two builds side by side through the same noise)']);
    assert.deepEqual(steadiness(samples({ d: [18], e: [30] })), []);
  });

  it('leaves the checks as they were: the e/d ratio is still the median of the rounds', () => {
    const e = checksOf(samples({ d: [18, 18, 18], e: [36, 24, 30] }), undefined, 0).find((c) => c.what === '  by CPU/req');
    assert.equal(e?.text, '0.60');
  });
});

describe("benchmark report: the interval of a ratio's median", () => {
  it('takes the order statistics whose coverage is at least 90%: the 2nd smallest and 2nd largest of 9 (96.1%)', () => {
    // The c/b ratios by CPU of the run of 2026-12-07 at b02d80d, rounds of 3 s.
    const interval = medianInterval([0.98, 0.95, 0.92, 0.89, 0.89, 0.87, 0.86, 1.0, 1.24]);
    assert.deepEqual(interval, { low: 0.87, high: 1.0, coverage: 1 - (2 * 10) / 512, rounds: 9 });
  });

  it('takes the extremes of 5 to 7 rounds (93.8% for 5), and gives none for fewer than 5', () => {
    assert.deepEqual(medianInterval([5, 1, 4, 2, 3]), { low: 1, high: 5, coverage: 1 - 2 / 32, rounds: 5 });
    assert.equal(medianInterval([3, 1, 2, 4])?.low, undefined);
    assert.equal(medianInterval([0.8, 0.9, 1]), undefined);
  });

  it('says, for each target ratio, whether the rounds met it, missed it or left it undecided', () => {
    // c/b from 9 rounds whose ratios all exceed 0.9; e/d from rounds spread across 0.75.
    const c = [60, 61, 62, 63, 64, 65, 66, 67, 68];
    const rows = {
      b: c.map((x) => x * 0.95),
      c,
      d: [30, 30, 30, 30, 30, 30, 30, 30, 30],
      e: [36, 37, 38, 39, 40, 41, 42, 43, 44],
    };
    const notes = intervalNotes(checksOf(samples(rows), undefined, 0));
    assert.deepEqual(notes, [
      "c/b req/s: median 0.95 of 9 rounds, 96% interval 0.950 to 0.950: met beyond the rounds' noise",
      "c/b by CPU/req: median 0.95 of 9 rounds, 96% interval 0.950 to 0.950: met beyond the rounds' noise",
      'e/d req/s: median 0.75 of 9 rounds, 96% interval 0.698 to 0.811: not decided by this run (the target ≥ 0.75 lies inside it)',
      'e/d by CPU/req: median 0.75 of 9 rounds, 96% interval 0.698 to 0.811: not decided by this run (the target ≥ 0.75 lies inside it)',
    ]);
    const missed = intervalNotes(checksOf(samples({ d: [30, 30, 30, 30, 30], e: [50, 51, 52, 53, 54] }), undefined, 0));
    assert.equal(missed[0], "e/d req/s: median 0.58 of 5 rounds, 93% interval 0.556 to 0.600: missed beyond the rounds' noise");
  });

  it('says nothing of 3 rounds: too few for an interval at 90%', () => {
    assert.deepEqual(intervalNotes(checksOf(samples({ d: [30, 30, 30], e: [36, 40, 44] }), undefined, 0)), []);
  });
});

describe('benchmark report: runs pooled (bench/pool.mjs)', () => {
  /** A results file's `rows` as bench/run.mjs writes them: id → CPU µs per request of each round. */
  const rowsOf = (rows) => [...samples(rows)].map(([id, s]) => ({ id, what: s.what, process: s.process, rounds: s.rounds }));

  it("takes every run's rounds in order, each paired with its baseline's round of the same run", () => {
    const pooled = pooledSamples([rowsOf({ d: [20, 20, 20], e: [25, 26, 25] }), rowsOf({ d: [30, 30], e: [36, 36] })]);
    assert.deepEqual(
      [...pooled].map(([id, s]) => [id, s.rounds.map((r) => r?.cpuUsPerRequest)]),
      [
        ['d', [20, 20, 20, 30, 30]],
        ['e', [25, 26, 25, 36, 36]],
      ],
    );
    // Ratios 0.80 0.77 0.80 0.83 0.83: the median of the five, and their interval, which no single run of 2 or 3 rounds has.
    const e = checksOf(pooled, undefined, 0).find((c) => c.what === 'e/d req/s');
    assert.equal(e?.text, '0.80');
    assert.deepEqual(intervalNotes([e]), ["e/d req/s: median 0.80 of 5 rounds, 93% interval 0.769 to 0.833: met beyond the rounds' noise"]);
    // A pooled interval that holds its target names the runs, not one run.
    const c = checksOf(pooledSamples([rowsOf({ b: [40, 40, 40], c: [44, 50, 41] }), rowsOf({ b: [40, 40], c: [45, 42] })]), undefined, 0).find((x) => x.what === 'c/b req/s');
    assert.deepEqual(intervalNotes([c], 'these runs'), ['c/b req/s: median 0.91 of 5 rounds, 93% interval 0.800 to 0.976: not decided by these runs (the target ≥ 0.90 lies inside it)']);
  });

  it('gives a row a run did not measure empty rounds, so the rounds after it stay paired', () => {
    const pooled = pooledSamples([rowsOf({ b: [40, 40], d: [20, 20], e: [25, 25] }), rowsOf({ b: [50], c: [55], d: [30], e: [60] })]);
    assert.deepEqual(pooled.get('c')?.rounds.map((r) => r?.cpuUsPerRequest), [undefined, undefined, 55]);
    const checks = checksOf(pooled, undefined, 0);
    // c/b only from the round that measured both; e/d from all three (0.80 0.80 0.50).
    assert.deepEqual(
      checks.filter((c) => c.what.endsWith('req/s')).map((c) => [c.what, c.text]),
      [
        ['c/b req/s', '0.91'],
        ['e/d req/s', '0.80'],
      ],
    );
  });
});
