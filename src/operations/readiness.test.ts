import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readiness } from './readiness.js';

describe('readiness', () => {
  it('is ready when every check passes, and says so per check', async () => {
    const r = await readiness([
      { name: 'store', run: () => Promise.resolve(undefined) },
      { name: 'draining', run: () => undefined },
    ]);
    assert.deepEqual(r, { ready: true, body: { status: 'ready', checks: { store: 'ok', draining: 'ok' } } });
  });

  it('names every failed check: a reason, a thrown error, a check that does not answer in time (an advisory one is reported, not failed)', async () => {
    const r = await readiness(
      [
        { name: 'store', run: () => new Promise<undefined>(() => undefined) },
        { name: 'snapshots', run: () => 'the compiled stages are not loaded' },
        { name: 'redis', run: () => Promise.reject(new Error('connection refused')) },
        { name: 'draining', run: () => undefined },
        { name: 'cluster', advisory: true, run: () => 'unreachable' },
      ],
      30,
    );
    assert.deepEqual(r, {
      ready: false,
      body: {
        status: 'not ready',
        failed: ['store', 'snapshots', 'redis'],
        checks: { store: 'no answer within 30 ms', snapshots: 'the compiled stages are not loaded', redis: 'connection refused', draining: 'ok', cluster: 'unreachable' },
      },
    });
  });
});
