import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestException } from './errors.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, nextToken, pageRequest } from './pagination.js';

const rejects = (fn: () => unknown, message: string) =>
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof BadRequestException, `expected BadRequestException, got ${String(err)}`);
    assert.equal(err.status, 400);
    assert.equal(err.message, message);
    return true;
  });

describe('pageRequest', () => {
  it('uses the default page size of 500 without maxResults', () => {
    assert.equal(DEFAULT_PAGE_SIZE, 500);
    assert.equal(MAX_PAGE_SIZE, 500);
    assert.deepEqual(pageRequest({}), { limit: 500 });
  });

  it('reads maxResults given as a string (Get* operations)', () => {
    assert.deepEqual(pageRequest({ maxResults: '25' }), { limit: 25 });
    assert.deepEqual(pageRequest({ maxResults: '1' }), { limit: 1 });
  });

  it('reads maxResults given as an integer (ListRoutingRules)', () => {
    assert.deepEqual(pageRequest({ maxResults: 7 }), { limit: 7 });
  });

  it('caps maxResults at the largest page size', () => {
    assert.deepEqual(pageRequest({ maxResults: '500' }), { limit: 500 });
    assert.deepEqual(pageRequest({ maxResults: '501' }), { limit: 500 });
    assert.deepEqual(pageRequest({ maxResults: '100000000000000000000' }), { limit: 500 });
  });

  for (const bad of ['0', '-1', 'ten', '', '1.5', ' 5', '5 ', '1e2', '0x10']) {
    it(`rejects maxResults '${bad}'`, () => {
      rejects(() => pageRequest({ maxResults: bad }), `Invalid maxResults '${bad}': must be a positive integer`);
    });
  }

  it('rejects a numeric maxResults that is not a positive integer', () => {
    rejects(() => pageRequest({ maxResults: 0 }), "Invalid maxResults '0': must be a positive integer");
    rejects(() => pageRequest({ maxResults: 2.5 }), "Invalid maxResults '2.5': must be a positive integer");
  });

  for (const bad of ['', 'abc', 'g1.5', Buffer.from('g1.').toString('base64url'), Buffer.from('g2.5').toString('base64url'), Buffer.from('g1.12a').toString('base64url'), Buffer.from('g1.1234567890123456').toString('base64url')]) {
    it(`rejects the nextToken '${bad}'`, () => {
      rejects(() => pageRequest({ nextToken: bad }), 'Invalid nextToken');
    });
  }

  it('validates maxResults before nextToken', () => {
    rejects(() => pageRequest({ maxResults: 'x', nextToken: 'bad' }), "Invalid maxResults 'x': must be a positive integer");
  });
});

describe('nextToken', () => {
  it('is undefined on the last page', () => {
    assert.equal(nextToken({ items: [] }), undefined);
  });

  it('round-trips through pageRequest', () => {
    for (const next of [0, 1, 42, 999999999999999]) {
      const token = nextToken({ items: [], next });
      assert.equal(typeof token, 'string');
      assert.match(token as string, /^[A-Za-z0-9_-]+$/, 'URL-safe without padding');
      assert.deepEqual(pageRequest({ nextToken: token }), { limit: DEFAULT_PAGE_SIZE, after: next });
      assert.deepEqual(pageRequest({ nextToken: token, maxResults: '3' }), { limit: 3, after: next });
    }
  });

  it('is opaque: not the bare sequence number', () => {
    const token = nextToken({ items: [], next: 42 }) as string;
    assert.notEqual(token, '42');
    rejects(() => pageRequest({ nextToken: '42' }), 'Invalid nextToken');
  });
});
