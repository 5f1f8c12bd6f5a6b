/**
 * A short fixed-seed run of the management API fuzzer (test/fuzz/management-fuzz.ts) in both response
 * formats and signed: generated calls to every operation of the model must keep every invariant (no 5xx, no crash,
 * well-formed errors, no write from a 4xx, no 2xx for an inherited-property or dot-segment id, 404 for
 * a Get of one, what a 2xx wrote reads back, no prototype pollution). `npm run fuzz` runs it longer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fuzzManagementApi, summarize } from '../../fuzz/management-fuzz.js';

/** Fixed so a failure here is reproducible: `npm run fuzz -- --seed 20261206 --runs 250` (formats aws, envelope, sigv4). */
const SEED = 20261206;
const RUNS = 250;

describe('management API fuzz (fixed seed)', () => {
  for (const format of ['aws', 'envelope', 'sigv4']) {
    it(`${RUNS} generated calls, ${format === 'sigv4' ? 'every call signed for a server with credentials' : `--response-format ${format}`}: every invariant holds`, async () => {
      const report = await fuzzManagementApi({
        runs: RUNS,
        seed: SEED,
        args: ['--response-format', format === 'envelope' ? 'envelope' : 'aws'],
        ...(format === 'sigv4' ? { credentials: { accessKeyId: 'AKIDFUZZ', secretAccessKey: 'fuzz-secret' } } : {}),
      });
      assert.deepEqual(summarize(report.failures), []);
      assert.equal(report.calls, RUNS);
      // the run reached the handlers, not only the validator: some calls of many operations succeeded
      assert.ok(Object.keys(report.successes).length >= 15, JSON.stringify(report.successes));
    });
  }
});
