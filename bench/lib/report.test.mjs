// Unit tests of the benchmark's report (run by `npm test`: scripts/test.mjs lists bench/**/*.test.mjs too).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checksOf, steadiness } from './report.mjs';

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
        'other load on the machine moved these rows, so a ratio from this run is not conclusive (bench/ab.mjs runs two builds side by side through the same noise)',
    );
  });

  it('pairs only rounds that measured both rows, and says nothing of a single round', () => {
    assert.deepEqual(steadiness(samples({ d: [18, undefined, 20], e: [30, 31, 40] })), ['by CPU/req, round by round: e/d 0.60 0.50', 'not steady: CPU µs/req varied by more than 1.2× across rounds in (e) 30.0 to 40.0; other load on the machine moved these rows, so a ratio from this run is not conclusive (bench/ab.mjs runs two builds side by side through the same noise)']);
    assert.deepEqual(steadiness(samples({ d: [18], e: [30] })), []);
  });

  it('leaves the checks as they were: the e/d ratio is still the median of the rounds', () => {
    const e = checksOf(samples({ d: [18, 18, 18], e: [36, 24, 30] }), undefined, 0).find((c) => c.what === '  by CPU/req');
    assert.equal(e?.text, '0.60');
  });
});
