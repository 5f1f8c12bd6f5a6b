import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LambdaFunctionRef } from '../../model/lambda-arn.js';
import { fixturesDir } from '../../../test/fixtures/lambda/invocation.js';
import { FunctionInvokeError, FunctionNotFoundError, FunctionTimeoutError, type FunctionInvoker, type InvokeResult } from './invoker.js';
import { createLocalInvoker, type LocalInvokeResult } from './local.js';

const baseDir = fixturesDir('functions');

const FUNCTIONS = {
  default: './esm-handlers.mjs',
  echo: './esm-handlers.mjs#echo',
  callback: './esm-handlers.mjs#callback',
  callbackError: './esm-handlers.mjs#callbackError',
  throws: './esm-handlers.mjs#throws',
  throwsSync: './esm-handlers.mjs#throwsSync',
  returnsUndefined: './esm-handlers.mjs#returnsUndefined',
  returnsString: './esm-handlers.mjs#returnsString',
  bigint: './esm-handlers.mjs#bigint',
  circular: './esm-handlers.mjs#circular',
  hangsPromise: './esm-handlers.mjs#hangsPromise',
  hangsInterval: './esm-handlers.mjs#hangsInterval',
  spin: './esm-handlers.mjs#spin',
  exits: './esm-handlers.mjs#exits',
  uncaught: './esm-handlers.mjs#uncaught',
  floating: './esm-handlers.mjs#floating',
  env: './esm-handlers.mjs#env',
  counter: './esm-handlers.mjs#counter',
  slow: './esm-handlers.mjs#slow',
  whoami: './esm-handlers.mjs#whoami',
  notAFunction: './esm-handlers.mjs#notAFunction',
  cjs: './cjs-handlers.cjs',
  cjsCallback: './cjs-handlers.cjs#callback',
  cjsModuleExports: './cjs-module-exports.cjs#main',
  broken: './broken-module.mjs',
  missing: './no-such-file.mjs',
};

const ref = (name: string, qualifier?: string): LambdaFunctionRef => ({
  region: 'eu-west-1',
  accountId: '123456789012',
  functionName: name,
  ...(qualifier ? { qualifier } : {}),
  functionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${name}${qualifier ? `:${qualifier}` : ''}`,
});

/**
 * Calls expected to succeed get a 2 s ceiling: it is never waited for, but a cold worker start on a
 * loaded CI machine can exceed 300 ms. Timeouts that are meant to fire are 60–100 ms.
 */
const call = (invoker: FunctionInvoker, name: string, event: unknown = {}, timeoutMs = 2000) => invoker.invoke(ref(name), event, { timeoutMs, requestId: 'gw-req' });
const parsed = (r: InvokeResult): unknown => JSON.parse(r.payload.toString());

/** Behaviour both isolation modes share. */
function commonSuite(invoker: FunctionInvoker): void {
  it('calls the default `handler` export of an ESM module and returns its JSON', async () => {
    const r = await call(invoker, 'default', { rawPath: '/p' });
    assert.deepEqual(parsed(r), { statusCode: 200, body: '{"path":"/p"}' });
    assert.equal(r.functionError, undefined);
  });

  it('passes the event as JSON and a Lambda context', async () => {
    const event = { a: [1, 'x'], skipped: undefined, nested: { n: null } };
    const r = (await invoker.invoke(ref('echo', 'live'), event, { timeoutMs: 2000, requestId: 'gw-req' })) as LocalInvokeResult;
    const { event: got, context } = parsed(r) as { event: unknown; context: Record<string, unknown> };
    assert.deepEqual(got, { a: [1, 'x'], nested: { n: null } });
    assert.equal(context.functionName, 'echo');
    assert.equal(context.functionVersion, '$LATEST');
    assert.equal(context.invokedFunctionArn, 'arn:aws:lambda:eu-west-1:123456789012:function:echo:live');
    assert.equal(context.memoryLimitInMB, '128');
    assert.match(context.awsRequestId as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(context.awsRequestId, r.requestId);
    assert.equal(context.logGroupName, '/aws/lambda/echo');
    assert.match(context.logStreamName as string, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.ok((context.remaining as number) > 0 && (context.remaining as number) <= 2000);
    assert.equal(context.callbackWaitsForEmptyEventLoop, true);
  });

  it('supports callback-style handlers (arity 3), ESM and CommonJS', async () => {
    assert.deepEqual(parsed(await call(invoker, 'callback', { n: 7 })), { via: 'callback', n: 7 });
    assert.deepEqual(parsed(await call(invoker, 'cjsCallback')), { via: 'cjs callback', fn: 'cjsCallback' });
  });

  it('loads CommonJS modules, including exports Node cannot detect statically', async () => {
    assert.deepEqual(parsed(await call(invoker, 'cjs', { name: 'x' })), { statusCode: 201, body: 'cjs x' });
    assert.equal(parsed(await call(invoker, 'cjsModuleExports')), 'from module.exports');
  });

  it('returns null for undefined and the JSON of a string', async () => {
    assert.equal((await call(invoker, 'returnsUndefined')).payload.toString(), 'null');
    assert.equal((await call(invoker, 'returnsString')).payload.toString(), '"Hello"');
  });

  for (const [name, errorType, errorMessage] of [
    ['throws', 'RangeError', 'out of range'],
    ['throwsSync', 'Error', 'sync boom'],
    ['callbackError', 'TypeError', 'bad input'],
    ['bigint', 'TypeError', 'Do not know how to serialize a BigInt'],
  ] as const) {
    it(`${name}: an Unhandled function error with Lambda's error payload`, async () => {
      const r = await call(invoker, name);
      assert.equal(r.functionError, 'Unhandled');
      const e = parsed(r) as { errorType: string; errorMessage: string; trace: string[] };
      assert.deepEqual([e.errorType, e.errorMessage], [errorType, errorMessage]);
      assert.ok(Array.isArray(e.trace));
    });
  }

  it('a circular result is an Unhandled TypeError', async () => {
    const r = await call(invoker, 'circular');
    assert.equal(r.functionError, 'Unhandled');
    assert.match((parsed(r) as { errorMessage: string }).errorMessage, /circular/i);
  });

  it('times out a never-resolving handler with FunctionTimeoutError', async () => {
    const started = Date.now();
    await assert.rejects(call(invoker, 'hangsPromise', {}, 80), (e: unknown) => e instanceof FunctionTimeoutError && /hangsPromise timed out after 80 ms/.test(e.message));
    assert.ok(Date.now() - started < 1000, 'the timeout fired, nothing else ended the call');
  });

  it('an unknown function is FunctionNotFoundError naming the registered functions', async () => {
    await assert.rejects(call(invoker, 'nope'), (e: unknown) => e instanceof FunctionNotFoundError && /nope/.test(e.message) && /registered functions: default, echo, /.test(e.message));
  });

  for (const [name, pattern] of [
    ['broken', /cannot initialise/],
    ['missing', /no-such-file\.mjs/],
    ['notAFunction', /does not export a function named notAFunction/],
  ] as const) {
    it(`${name}: a module that cannot be loaded is FunctionInvokeError with the cause`, async () => {
      await assert.rejects(call(invoker, name), (e: unknown) => e instanceof FunctionInvokeError && pattern.test(e.message) && e.cause !== undefined);
    });
  }
}

describe('local invoker, in-process', () => {
  const invoker = createLocalInvoker({ functions: FUNCTIONS, baseDir, isolation: 'inprocess' });
  after(() => invoker.close());
  commonSuite(invoker);

  it("gives the handler env plus the Lambda variables through process.env, and the server keeps its own", async () => {
    const inv = createLocalInvoker({ functions: FUNCTIONS, baseDir, isolation: 'inprocess', env: { GREETING: 'hi' } });
    try {
      assert.deepEqual(parsed(await call(inv, 'env')), { greeting: 'hi', name: 'env', home: null });
      assert.equal(process.env.GREETING, undefined);
      assert.equal(process.env.HOME === undefined, false, 'outside function code, process.env is the real one');
    } finally {
      await inv.close();
    }
  });

  it('invokeThen tells each outcome once: a result, a time-out, and an unknown function before it returns', async () => {
    const told = (name: string, timeoutMs = 2000) => {
      const calls: [unknown, InvokeResult | undefined][] = [];
      const first = new Promise<void>((resolve) => {
        assert.ok(invoker.invokeThen, 'the in-process invoker has invokeThen');
        invoker.invokeThen(ref(name), { rawPath: '/then' }, { timeoutMs, requestId: 'gw-req' }, (error, result) => {
          calls.push([error, result]);
          resolve();
        });
      });
      return { calls, first };
    };
    const unknown = told('nope');
    assert.equal(unknown.calls.length, 1, 'told before invokeThen returned');
    assert.ok(unknown.calls[0]?.[0] instanceof FunctionNotFoundError);

    const echoed = told('echo');
    assert.equal(echoed.calls.length, 0, 'a result is told later, never during the call');
    await echoed.first;
    const [error, result] = echoed.calls[0] ?? [];
    assert.equal(error, undefined);
    assert.deepEqual((parsed(result as InvokeResult) as { event: unknown }).event, { rawPath: '/then' });

    const hung = told('hangsPromise', 60);
    await hung.first;
    assert.ok(hung.calls[0]?.[0] instanceof FunctionTimeoutError);
    // A handler that answers after its time-out: the time-out was told, the late answer is not.
    const late = (() => {
      const calls: unknown[] = [];
      const first = new Promise<void>((resolve) =>
        invoker.invokeThen?.(ref('slow'), { ms: 80 }, { timeoutMs: 30, requestId: 'gw-req' }, (error) => {
          calls.push(error);
          resolve();
        }),
      );
      return { calls, first };
    })();
    await late.first;
    await sleep(150);
    assert.equal(late.calls.length, 1);
    assert.ok(late.calls[0] instanceof FunctionTimeoutError);
    assert.equal(echoed.calls.length + hung.calls.length, 2, 'each told once');
  });

  it('refuses a malformed handler reference at creation', () => {
    assert.throws(() => createLocalInvoker({ functions: { f: './x.mjs#not-valid' }, baseDir, isolation: 'inprocess' }), /Invalid function handler/);
    assert.throws(() => createLocalInvoker({ functions: { f: '#handler' }, baseDir, isolation: 'inprocess' }), /Invalid function handler/);
  });
});

describe('local invoker, worker threads', () => {
  const invoker = createLocalInvoker({ functions: FUNCTIONS, baseDir, isolation: 'worker', env: { GREETING: 'hi' }, concurrency: 2 });
  after(() => invoker.close());
  commonSuite(invoker);

  it('keeps a warm worker between calls', async () => {
    const first = parsed(await call(invoker, 'counter')) as number;
    assert.equal(parsed(await call(invoker, 'counter')), first + 1);
  });

  it('terminates a synchronous infinite loop on timeout, then serves from a fresh worker', async () => {
    await assert.rejects(call(invoker, 'spin', {}, 100), FunctionTimeoutError);
    // Same module, new worker: the module state starts over.
    const spinAgain = createLocalInvoker({ functions: { counter: './esm-handlers.mjs#counter', spin: './esm-handlers.mjs#spin' }, baseDir, isolation: 'worker', concurrency: 1 });
    try {
      assert.equal(parsed(await call(spinAgain, 'counter')), 1);
      await assert.rejects(call(spinAgain, 'spin', {}, 80), FunctionTimeoutError);
      assert.equal(parsed(await call(spinAgain, 'counter')), 2, 'another function keeps its own worker');
    } finally {
      await spinAgain.close();
    }
  });

  it('respawns a function whose worker was terminated on timeout', async () => {
    const inv = createLocalInvoker({ functions: { slow: './esm-handlers.mjs#slow', counter: './esm-handlers.mjs#counter' }, baseDir, isolation: 'worker', concurrency: 1 });
    try {
      await assert.rejects(call(inv, 'slow', { ms: 1000 }, 60), FunctionTimeoutError);
      assert.equal(parsed(await call(inv, 'slow', { ms: 1 })), 1);
    } finally {
      await inv.close();
    }
  });

  it('terminates a handler that keeps an interval running', async () => {
    await assert.rejects(call(invoker, 'hangsInterval', {}, 60), FunctionTimeoutError);
  });

  it('process.exit in a handler is a Runtime.ExitError, and the server lives on', async () => {
    const r = await call(invoker, 'exits');
    assert.equal(r.functionError, 'Unhandled');
    const e = parsed(r) as { errorType: string; errorMessage: string };
    assert.equal(e.errorType, 'Runtime.ExitError');
    assert.match(e.errorMessage, /^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 3$/);
    assert.equal(parsed(await call(invoker, 'returnsString')), 'Hello');
  });

  it('an uncaught exception thrown from a timer fails the invocation', async () => {
    const r = await call(invoker, 'uncaught');
    assert.equal(r.functionError, 'Unhandled');
    assert.equal((parsed(r) as { errorMessage: string }).errorMessage, 'thrown from a timer');
  });

  it('a rejection left unhandled after returning only ends that worker', async () => {
    assert.equal(parsed(await call(invoker, 'floating', { reject: true })), 'ok');
    await sleep(100);
    // On a starved machine the worker may die only once the next call is running, which then
    // fails as Lambda reports it; the call after that has a fresh worker either way.
    let r = await call(invoker, 'floating');
    if (r.functionError) {
      assert.equal((parsed(r) as { errorMessage: string }).errorMessage, 'late rejection');
      r = await call(invoker, 'floating');
    }
    assert.equal(parsed(r), 'ok');
  });

  it('gives the worker env plus the Lambda variables, not the server environment', async () => {
    assert.deepEqual(parsed(await call(invoker, 'env')), { greeting: 'hi', name: 'env', home: null });
  });

  it('runs up to `concurrency` invocations of a function at once and queues the rest', async () => {
    const started = Date.now();
    const threads = (await Promise.all([60, 60, 60].map((ms) => call(invoker, 'whoami', { ms })))).map(parsed);
    // concurrency 2: two worker threads, and the third call waited for one of them.
    assert.equal(new Set(threads).size, 2);
    assert.ok(Date.now() - started >= 115);
  });

  it('counts queue time toward the timeout', async () => {
    const inv = createLocalInvoker({ functions: { slow: './esm-handlers.mjs#slow' }, baseDir, isolation: 'worker', concurrency: 1 });
    try {
      const first = call(inv, 'slow', { ms: 150 }, 2000);
      await assert.rejects(call(inv, 'slow', { ms: 1 }, 60), FunctionTimeoutError);
      assert.equal(parsed(await first), 150);
    } finally {
      await inv.close();
    }
  });

  it('close() fails queued invocations and stops the workers', async () => {
    const inv = createLocalInvoker({ functions: { slow: './esm-handlers.mjs#slow' }, baseDir, isolation: 'worker', concurrency: 1 });
    const running = call(inv, 'slow', { ms: 200 });
    const queued = call(inv, 'slow', { ms: 1 });
    const outcomes = Promise.all([assert.rejects(running, FunctionInvokeError), assert.rejects(queued, FunctionInvokeError)]);
    await sleep(20);
    await inv.close();
    await outcomes;
    await assert.rejects(call(inv, 'slow', { ms: 1 }), FunctionInvokeError);
  });
});
