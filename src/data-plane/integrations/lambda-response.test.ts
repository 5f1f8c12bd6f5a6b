import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '../errors.js';
import { interpretLambdaResult } from './lambda-response.js';

const ok = (payload: unknown, raw = false) => ({ payload: Buffer.from(raw ? (payload as string) : JSON.stringify(payload)) });

/** Asserts a 500 Internal Server Error whose detail matches. */
function assert500(fn: () => unknown, detail: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof GatewayError);
    assert.equal(e.statusCode, 500);
    assert.equal(e.message, 'Internal Server Error');
    assert.equal(e.responseType, 'INTEGRATION_FAILURE');
    assert.match(e.detail ?? '', detail);
    return true;
  });
}

describe('payload 2.0 inference (a result that is not an object with statusCode)', () => {
  const inferred = (body: string) => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body });

  it('a returned string is the body itself', () => {
    assert.deepEqual(interpretLambdaResult(ok('Hello'), '2.0'), inferred('Hello'));
  });

  it('an object without statusCode is its own JSON text, as returned', () => {
    const text = '{ "message": "Hello from Lambda!" }';
    assert.deepEqual(interpretLambdaResult(ok(text, true), '2.0'), inferred(text));
  });

  it('numbers, arrays, booleans and null are their JSON text', () => {
    for (const text of ['42', '[1,"a"]', 'true', 'null']) assert.deepEqual(interpretLambdaResult(ok(text, true), '2.0'), inferred(text));
  });
});

describe('payload 2.0 structured responses', () => {
  it('takes statusCode, headers (lower-cased, scalars stringified) and body', () => {
    const res = interpretLambdaResult(ok({ statusCode: 201, headers: { 'Content-Type': 'text/plain', 'X-Count': 3, 'X-Flag': true, 'X-Null': null }, body: 'made' }), '2.0');
    assert.deepEqual(res, { statusCode: 201, headers: { 'content-type': 'text/plain', 'x-count': '3', 'x-flag': 'true' }, body: 'made' });
  });

  it('each cookies[] entry becomes a set-cookie header, after one set in headers', () => {
    const res = interpretLambdaResult(ok({ statusCode: 200, headers: { 'Set-Cookie': 'a=1' }, cookies: ['b=2; Path=/', 'c=3'] }), '2.0');
    assert.deepEqual(res.headers['set-cookie'], ['a=1', 'b=2; Path=/', 'c=3']);
    assert.deepEqual(interpretLambdaResult(ok({ statusCode: 200, cookies: ['x=1'] }), '2.0').headers, { 'set-cookie': ['x=1'] });
  });

  it('decodes a base64 body', () => {
    const bytes = Buffer.from([0, 1, 2, 255]);
    const res = interpretLambdaResult(ok({ statusCode: 200, body: bytes.toString('base64'), isBase64Encoded: true }), '2.0');
    assert.deepEqual(res.body, bytes);
  });

  it('has no body when the function gives none', () => {
    assert.deepEqual(interpretLambdaResult(ok({ statusCode: 204 }), '2.0'), { statusCode: 204, headers: {}, body: undefined });
  });

  it('ignores multiValueHeaders (not supported in 2.0) and framing headers', () => {
    const res = interpretLambdaResult(ok({ statusCode: 200, multiValueHeaders: { 'x-a': ['1'] }, headers: { 'Content-Length': '999', 'Transfer-Encoding': 'chunked' } }), '2.0');
    assert.deepEqual(res.headers, {});
  });
});

describe('payload 1.0 responses', () => {
  it('merges headers and multiValueHeaders; multiValueHeaders wins for a shared name', () => {
    const res = interpretLambdaResult(
      ok({ statusCode: 200, headers: { 'X-One': 'h', 'X-Both': 'from-headers' }, multiValueHeaders: { 'x-both': ['m1', 'm2'], 'Set-Cookie': ['a=1', 'b=2'] }, body: 'hi' }),
      '1.0',
    );
    assert.deepEqual(res, { statusCode: 200, headers: { 'x-one': 'h', 'x-both': ['m1', 'm2'], 'set-cookie': ['a=1', 'b=2'] }, body: 'hi' });
  });

  it('decodes a base64 body', () => {
    assert.deepEqual(interpretLambdaResult(ok({ statusCode: 200, body: 'aGk=', isBase64Encoded: true }), '1.0').body, Buffer.from('hi'));
  });

  it('does not infer: a string, an object without statusCode or an array is a 500', () => {
    assert500(() => interpretLambdaResult(ok('Hello'), '1.0'), /not an object/);
    assert500(() => interpretLambdaResult(ok({ message: 'hi' }), '1.0'), /statusCode undefined/);
    assert500(() => interpretLambdaResult(ok([1]), '1.0'), /not an object/);
  });
});

describe('unusable results are 500', () => {
  it('a function error, with its errorType and errorMessage in the detail', () => {
    const payload = Buffer.from(JSON.stringify({ errorType: 'RangeError', errorMessage: 'out of range', trace: [] }));
    for (const v of ['1.0', '2.0'] as const) {
      assert500(() => interpretLambdaResult({ payload, functionError: 'Unhandled' }, v), /Lambda function error \(Unhandled\): RangeError: out of range/);
    }
  });

  it('invalid JSON', () => {
    for (const v of ['1.0', '2.0'] as const) assert500(() => interpretLambdaResult(ok('{not json', true), v), /not JSON/);
    assert500(() => interpretLambdaResult(ok('', true), '2.0'), /not JSON/);
  });

  it('a statusCode that is not an integer HTTP status', () => {
    for (const statusCode of ['200', 20.5, 42, 600, null]) assert500(() => interpretLambdaResult(ok({ statusCode }), '2.0'), /statusCode/);
  });

  it('bad headers, cookies or body', () => {
    assert500(() => interpretLambdaResult(ok({ statusCode: 200, headers: 'x' }), '2.0'), /headers is not an object/);
    assert500(() => interpretLambdaResult(ok({ statusCode: 200, headers: { a: { b: 1 } } }), '2.0'), /header a/);
    assert500(() => interpretLambdaResult(ok({ statusCode: 200, cookies: 'a=1' }), '2.0'), /cookies is not a list/);
    assert500(() => interpretLambdaResult(ok({ statusCode: 200, body: { a: 1 } }), '2.0'), /body is not a string/);
    assert500(() => interpretLambdaResult(ok({ statusCode: 200, multiValueHeaders: { a: 'x' } }), '1.0'), /multiValueHeaders.a is not a list/);
  });
});
