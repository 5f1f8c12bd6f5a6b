import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonValue } from './json-value.js';

/** What Lambda returns for a handler's result: its JSON text parsed ("null" for undefined). */
const roundTrip = (v: unknown): unknown => JSON.parse(JSON.stringify(v) ?? 'null') as unknown;

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

const cases: Array<[string, unknown]> = [
  ['a proxy result', { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' }],
  ['undefined', undefined],
  ['null', null],
  ['a string', 'hello'],
  ['numbers', [0, -0, 1.5, 1e21, NaN, Infinity, -Infinity, Number.MAX_VALUE]],
  ['members left out', { a: undefined, b: () => 1, c: Symbol('s'), d: 1 }],
  ['array holes and functions', [1, , undefined, () => 2, Symbol('t')]], // eslint-disable-line no-sparse-arrays
  ['a Date (toJSON)', { when: new Date(0) }],
  ['an own toJSON', { toJSON: () => ({ replaced: true }) }],
  ['boxed primitives', { s: new String('x'), n: new Number(3), b: new Boolean(false) }],
  ['a class instance', { p: new Point(1, 2) }],
  ['a Map and a Set', { m: new Map([[1, 2]]), s: new Set([1]) }],
  ['a Buffer', { data: Buffer.from('hi') }],
  ['a null-prototype object', Object.assign(Object.create(null) as object, { k: 'v' })],
  ['symbol keys', { [Symbol('hidden')]: 1, shown: 2 }],
  ['nested', { a: [{ b: [{ c: { d: [1, 'two', null, true] } }] }] }],
  ['deep', JSON.parse(`${'['.repeat(200)}1${']'.repeat(200)}`) as unknown],
  ['a lone surrogate', { s: '\ud800x' }],
  ['a typed array', new Uint8Array([1, 2])],
];

test('jsonValue equals the JSON round trip of a handler result', () => {
  for (const [name, value] of cases) assert.deepStrictEqual(jsonValue(value), roundTrip(value), name);
});

test('jsonValue keeps a member named __proto__ as a member, as JSON.parse does', () => {
  const value = JSON.parse('{"__proto__":{"polluted":true},"ok":1}') as Record<string, unknown>;
  const copied = jsonValue(value) as Record<string, unknown>;
  assert.deepStrictEqual(Object.keys(copied), ['__proto__', 'ok']);
  assert.equal(Object.getPrototypeOf(copied), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepStrictEqual(copied, roundTrip(value));
});

test('jsonValue throws where JSON.stringify throws: cycles and BigInt', () => {
  const cycle: Record<string, unknown> = { a: 1 };
  cycle.self = cycle;
  assert.throws(() => jsonValue(cycle), TypeError);
  assert.throws(() => jsonValue({ n: 10n }), TypeError);
  assert.throws(() => jsonValue({ get bad() { throw new Error('getter'); } }), /getter/);
});

test('jsonValue copies: the result shares no object with the handler', () => {
  const headers = { a: 'b' };
  const copied = jsonValue({ headers }) as { headers: Record<string, string> };
  copied.headers.a = 'changed';
  assert.equal(headers.a, 'b');
});
