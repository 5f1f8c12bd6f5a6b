import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LambdaFunctionRef } from '../../model/lambda-arn.js';
import { invokeThen, type FunctionInvoker, type InvokeResult } from './invoker.js';

const fn: LambdaFunctionRef = { region: 'us-east-1', accountId: '123456789012', functionName: 'f', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f' };
const options = { timeoutMs: 1000, requestId: 'r1' };
const answer: InvokeResult = { payload: Buffer.from('{"ok":true}') };

/** `invokeThen` on `invoker`, its outcome as a promise of [error, result] (never rejecting). */
function told(invoker: FunctionInvoker): Promise<[unknown, InvokeResult | undefined]> {
  return new Promise((resolve) => invokeThen(invoker, fn, {}, options, (error, result) => resolve([error, result])));
}

describe('invokeThen', () => {
  it("uses the invoker's own invokeThen when it has one", async () => {
    const invoker: FunctionInvoker = {
      invoke: () => assert.fail('the promise form is not used'),
      invokeThen: (_fn, _event, _options, done) => done(undefined, answer),
      close: async () => undefined,
    };
    assert.deepEqual(await told(invoker), [undefined, answer]);
  });

  it("otherwise tells the promise's result, or its rejection as an Error", async () => {
    const resolving: FunctionInvoker = { invoke: async () => answer, close: async () => undefined };
    assert.deepEqual(await told(resolving), [undefined, answer]);
    const rejecting: FunctionInvoker = { invoke: () => Promise.reject(new RangeError('no')), close: async () => undefined };
    const [error] = await told(rejecting);
    assert.ok(error instanceof RangeError && error.message === 'no');
    // A rejection that is no Error is told as it is (the Lambda integration's detail shows it as it was);
    // one with `undefined` as an Error, since undefined means success.
    const rejectingText: FunctionInvoker = { invoke: () => Promise.reject('plain text' as unknown as Error), close: async () => undefined };
    assert.deepEqual(await told(rejectingText), ['plain text', undefined]);
    const rejectingNothing: FunctionInvoker = { invoke: () => Promise.reject(undefined as unknown as Error), close: async () => undefined };
    const [nothing] = await told(rejectingNothing);
    assert.ok(nothing instanceof Error && nothing.message === 'undefined');
  });

  it("tells what an invoker's invokeThen throws before telling, once; rethrows what `done` throws once told", async () => {
    const throwing: FunctionInvoker = {
      invoke: () => assert.fail('not used'),
      invokeThen: () => {
        throw new RangeError('before');
      },
      close: async () => undefined,
    };
    const [error] = await told(throwing);
    assert.ok(error instanceof RangeError && error.message === 'before');
    const telling: FunctionInvoker = {
      invoke: () => assert.fail('not used'),
      invokeThen: (_fn, _event, _options, done) => done(undefined, answer),
      close: async () => undefined,
    };
    let calls = 0;
    assert.throws(
      () =>
        invokeThen(telling, fn, {}, options, () => {
          calls++;
          throw new Error('in done');
        }),
      /in done/,
    );
    assert.equal(calls, 1);
  });

  it('tells an invoke that throws instead of rejecting, rather than throwing', async () => {
    const throwing: FunctionInvoker = {
      invoke: () => {
        throw new TypeError('sync');
      },
      close: async () => undefined,
    };
    const [error] = await told(throwing);
    assert.ok(error instanceof TypeError && error.message === 'sync');
  });
});
