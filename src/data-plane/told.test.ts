import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InvokeResult } from './functions/invoker.js';
import { promiseOf } from './told.js';

const answer: InvokeResult = { payload: Buffer.from('{"ok":true}') };

describe('promiseOf', () => {
  it('resolves with the result told, rejects with the error told', async () => {
    assert.equal(await promiseOf((done) => done(undefined, answer)), answer);
    await assert.rejects(
      promiseOf((done) => done(new Error('told'))),
      (e: unknown) => e instanceof Error && e.message === 'told',
    );
  });
});
