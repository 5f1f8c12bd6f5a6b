import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeInvocation } from '../../../test/fixtures/lambda/invocation.js';
import { compileIdentitySource } from './identity-source.js';

describe('identity sources named like inherited properties', () => {
  it('$request.header.constructor is absent unless the request sends it (never Object\'s function)', () => {
    const accessor = compileIdentitySource('$request.header.constructor');
    assert.ok(accessor);
    assert.equal(accessor(makeInvocation()), undefined);
    assert.equal(accessor(makeInvocation({ headers: [['Constructor', 'token']] })), 'token');
    assert.equal(compileIdentitySource('$request.header.toString')?.(makeInvocation()), undefined);
  });
});
