import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isReservedHeader, parseMappingKey } from './parameter-mapping.js';

const REQUEST_FORMS = 'append|overwrite|remove:header.{name}, append|overwrite|remove:querystring.{name} or overwrite:path';
const RESPONSE_FORMS = 'append|overwrite|remove:header.{name} or overwrite:statuscode';

const RESERVED_EXACT = [
  'Authorization', 'Connection', 'Content-Encoding', 'Content-Length', 'Content-Location', 'Forwarded', 'Keep-Alive',
  'Origin', 'Proxy-Authenticate', 'Proxy-Authorization', 'TE', 'Trailers', 'Transfer-Encoding', 'Upgrade',
  'X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto', 'Via',
];
const RESERVED_PREFIXES = ['access-control-', 'apigw-', 'x-amz-', 'x-amzn-'];

describe('parseMappingKey on the request side', () => {
  for (const action of ['append', 'overwrite', 'remove'] as const) {
    for (const location of ['header', 'querystring'] as const) {
      it(`parses ${action}:${location}.{name}`, () => {
        assert.deepEqual(parseMappingKey(`${action}:${location}.X-Pet_id`, 'request'), { action, location, name: 'X-Pet_id' });
      });
    }
  }

  it('parses overwrite:path', () => {
    assert.deepEqual(parseMappingKey('overwrite:path', 'request'), { action: 'overwrite', location: 'path' });
  });

  it('keeps query string names that are not header tokens', () => {
    assert.deepEqual(parseMappingKey('append:querystring.a[b]', 'request'), { action: 'append', location: 'querystring', name: 'a[b]' });
  });

  it('rejects overwrite:statuscode, with the request-side forms', () => {
    assert.throws(() => parseMappingKey('overwrite:statuscode', 'request'), {
      message: `invalid mapping key overwrite:statuscode: must be ${REQUEST_FORMS}`,
    });
  });

  for (const key of ['append:path', 'remove:path', 'set:header.x', 'overwrite:header.', 'overwrite:header', 'overwrite:body.x', 'overwrite:header.a b', 'Overwrite:header.x', '']) {
    it(`rejects the malformed key '${key}'`, () => {
      assert.throws(() => parseMappingKey(key, 'request'), { message: `invalid mapping key ${key}: must be ${REQUEST_FORMS}` });
    });
  }
});

describe('parseMappingKey on the response side', () => {
  for (const action of ['append', 'overwrite', 'remove'] as const) {
    it(`parses ${action}:header.{name}`, () => {
      assert.deepEqual(parseMappingKey(`${action}:header.x-result`, 'response'), { action, location: 'header', name: 'x-result' });
    });
  }

  it('parses overwrite:statuscode', () => {
    assert.deepEqual(parseMappingKey('overwrite:statuscode', 'response'), { action: 'overwrite', location: 'statuscode' });
  });

  for (const action of ['append', 'overwrite', 'remove']) {
    it(`rejects ${action}:querystring, with the response-side forms`, () => {
      const key = `${action}:querystring.q`;
      assert.throws(() => parseMappingKey(key, 'response'), { message: `invalid mapping key ${key}: must be ${RESPONSE_FORMS}` });
    });
  }

  it('rejects overwrite:path', () => {
    assert.throws(() => parseMappingKey('overwrite:path', 'response'), {
      message: `invalid mapping key overwrite:path: must be ${RESPONSE_FORMS}`,
    });
  });

  it('rejects reserved headers too', () => {
    assert.throws(() => parseMappingKey('overwrite:header.Via', 'response'), { message: 'the header Via is reserved and cannot be mapped' });
  });
});

describe('reserved headers', () => {
  for (const name of RESERVED_EXACT) {
    it(`reserves ${name} in any case`, () => {
      assert.equal(isReservedHeader(name), true);
      assert.equal(isReservedHeader(name.toLowerCase()), true);
      assert.equal(isReservedHeader(name.toUpperCase()), true);
      assert.throws(() => parseMappingKey(`overwrite:header.${name}`, 'request'), {
        message: `the header ${name} is reserved and cannot be mapped`,
      });
    });
  }

  for (const prefix of RESERVED_PREFIXES) {
    it(`reserves headers starting with ${prefix} in any case`, () => {
      assert.equal(isReservedHeader(`${prefix}thing`), true);
      assert.equal(isReservedHeader(`${prefix.toUpperCase()}Thing`), true);
      assert.throws(() => parseMappingKey(`append:header.${prefix.toUpperCase()}Thing`, 'request'), {
        message: `the header ${prefix.toUpperCase()}Thing is reserved and cannot be mapped`,
      });
      assert.throws(() => parseMappingKey(`remove:header.${prefix}thing`, 'response'), {
        message: `the header ${prefix}thing is reserved and cannot be mapped`,
      });
    });
  }

  it('does not reserve near misses', () => {
    for (const name of ['x-pet', 'Content-Type', 'Host', 'x-amzfoo', 'apigw', 'access-control', 'authorization-x', 'x-forwarded-port', 'Accept']) {
      assert.equal(isReservedHeader(name), false, name);
    }
    assert.deepEqual(parseMappingKey('overwrite:header.x-amzfoo', 'request'), { action: 'overwrite', location: 'header', name: 'x-amzfoo' });
  });

  it('allows reserved names as query strings', () => {
    assert.deepEqual(parseMappingKey('overwrite:querystring.authorization', 'request'), {
      action: 'overwrite',
      location: 'querystring',
      name: 'authorization',
    });
  });
});

describe('header name tokens', () => {
  for (const name of ['x(y)', 'a/b', 'a:b', 'a"b', 'a,b', 'é', 'a@b', '{x}']) {
    it(`rejects the header name '${name}'`, () => {
      assert.throws(() => parseMappingKey(`overwrite:header.${name}`, 'request'), {
        message: `invalid header name in mapping key overwrite:header.${name}`,
      });
    });
  }

  it("accepts every token character (!#$%&'*+.^_`|~, digits, letters, -)", () => {
    const name = "!#$%&'*+.^_`|~09azAZ-";
    assert.deepEqual(parseMappingKey(`remove:header.${name}`, 'request'), { action: 'remove', location: 'header', name });
  });
});
