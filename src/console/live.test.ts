import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FunctionInvoker } from '../data-plane/functions/invoker.js';
import type { Invocation } from '../data-plane/invocation.js';
import type { LiveEntry } from './live.js';
import { LiveRequests, redact, shownCall } from './live.js';

const fn = { region: 'us-east-1', accountId: '123456789012', functionName: 'pets', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:pets' };

/** An invoker that answers `{"statusCode":200,"body":<the event's body>}` and counts its calls. */
function echoInvoker(): FunctionInvoker & { calls: unknown[] } {
  const calls: unknown[] = [];
  return {
    calls,
    invoke: (_fn, event) => {
      calls.push(event);
      return Promise.resolve({ payload: Buffer.from(JSON.stringify({ statusCode: 200, body: (event as { body?: string }).body })) });
    },
    close: () => Promise.resolve(),
  };
}

const invocation = (requestId: string): Invocation =>
  ({ requestId, requestTimeEpoch: 1000, responseEnd: 1012, request: { method: 'GET', path: '/x' }, incoming: { url: '/prod/x' }, response: { statusCode: 200, headers: {} } }) as unknown as Invocation;

describe('LiveRequests', () => {
  it('records nothing and publishes nothing while no console listens', async () => {
    const live = new LiveRequests();
    const base = echoInvoker();
    const invoker = live.wrapInvoker(base);
    const event = { body: 'one' };
    await invoker.invoke(fn, event, { timeoutMs: 1000, requestId: 'r1' });
    assert.equal(base.calls[0], event, 'the event is passed through untouched');
    live.requestLog(invocation('r1'));
    // A console that subscribes later sees later requests only, without the calls made before it came.
    const seen: LiveEntry[] = [];
    const stop = live.subscribe((e) => seen.push(e), () => true);
    await invoker.invoke(fn, { body: 'two' }, { timeoutMs: 1000, requestId: 'r2' });
    live.requestLog(invocation('r1'));
    live.requestLog(invocation('r2'));
    stop();
    assert.equal(live.listening, false);
    live.requestLog(invocation('r3'));
    assert.deepEqual(
      seen.map((e) => [e.requestId, e.path, e.status, e.latencyMs, e.lambda.map((c) => c.event)]),
      [
        ['r1', '/prod/x', 200, 12, []],
        ['r2', '/prod/x', 200, 12, [{ body: 'two' }]],
      ],
    );
  });

  it('records the calls told through invokeThen (the Lambda integration path) while a console listens', async () => {
    const live = new LiveRequests();
    const base = echoInvoker();
    const invoker = live.wrapInvoker(base);
    const viaThen = (body: string, requestId: string) =>
      new Promise<unknown>((resolve, reject) => invoker.invokeThen?.(fn, { body }, { timeoutMs: 1000, requestId }, (error, result) => (error ? reject(error) : resolve(JSON.parse(result?.payload.toString() ?? 'null')))));
    assert.deepEqual(await viaThen('quiet', 'r1'), { statusCode: 200, body: 'quiet' });
    const seen: LiveEntry[] = [];
    const stop = live.subscribe((e) => seen.push(e), () => true);
    assert.deepEqual(await viaThen('heard', 'r2'), { statusCode: 200, body: 'heard' });
    live.requestLog(invocation('r1'));
    live.requestLog(invocation('r2'));
    stop();
    assert.deepEqual(
      seen.map((e) => [e.requestId, e.lambda.map((c) => c.event)]),
      [
        ['r1', []],
        ['r2', [{ body: 'heard' }]],
      ],
    );
    assert.equal(base.calls.length, 2);
  });

  it('gives each subscriber only the entries its filter accepts', async () => {
    const live = new LiveRequests();
    const mine: string[] = [];
    const all: string[] = [];
    live.subscribe((e) => mine.push(e.requestId), (e) => e.requestId === 'b');
    live.subscribe((e) => all.push(e.requestId), () => true);
    live.requestLog(invocation('a'));
    live.requestLog(invocation('b'));
    assert.deepEqual([mine, all], [['b'], ['a', 'b']]);
  });
});

describe('redact and shownCall', () => {
  it('masks secret-named members (keeping an Authorization scheme), cookie values, and cuts long strings', () => {
    const shown = redact({
      headers: { authorization: 'Bearer abc.def.ghi', 'x-api-key': 'k-123456', accept: '*/*' },
      multiValueHeaders: { Authorization: ['Basic dXNlcjpwYXNz'] },
      cookies: ['session=s3cr3t-value', 'theme=dark'],
      requestContext: { authorizer: { jwt: { claims: { sub: 'user-1' } } } },
      body: 'y'.repeat(2050),
    });
    assert.deepEqual(shown, {
      headers: { authorization: 'Bearer ****', 'x-api-key': '****', accept: '*/*' },
      multiValueHeaders: { Authorization: ['Basic ****'] },
      cookies: ['session=****', 'theme=****'],
      requestContext: { authorizer: { jwt: { claims: { sub: 'user-1' } } } },
      body: `${'y'.repeat(2048)}… (2 more characters)`,
    });
  });

  it('cuts the event\'s secret values out of the function\'s answer', () => {
    const event = { headers: { authorization: 'Bearer tok-abcdef', cookie: 'sid=cookie-secret' }, cookies: ['sid=cookie-secret'] };
    const answer = { statusCode: 200, body: JSON.stringify({ echoed: 'Bearer tok-abcdef', cookie: 'sid=cookie-secret', note: 'plain' }) };
    const shown = shownCall(event, { payload: Buffer.from(JSON.stringify(answer)) });
    assert.deepEqual(shown.response, { statusCode: 200, body: '{"echoed":"****","cookie":"****","note":"plain"}' });
    assert.deepEqual(shownCall(event, { payload: Buffer.from('not json tok-abcdef') }).response, 'not json ****');
  });
});
