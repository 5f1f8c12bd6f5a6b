import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSelectionExpression, parseSelectionExpression, SelectionExpressionError } from './selection-expression.js';

const rejectsWith = (fn: () => unknown, message: string) =>
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SelectionExpressionError, `expected SelectionExpressionError, got ${String(err)}`);
    assert.equal(err.name, 'SelectionExpressionError');
    assert.equal(err.message, message);
    return true;
  });

describe('parseSelectionExpression', () => {
  it('parses a bare variable without its $', () => {
    assert.deepEqual(parseSelectionExpression('$request.body.action'), [{ variable: 'request.body.action' }]);
  });

  it('parses braced variables with the literal text between them', () => {
    assert.deepEqual(parseSelectionExpression('${request.body.a}/${request.body.b}'), [
      { variable: 'request.body.a' },
      { literal: '/' },
      { variable: 'request.body.b' },
    ]);
  });

  it('keeps literal text before and after a braced variable', () => {
    assert.deepEqual(parseSelectionExpression('pre-${request.header.x-id}-post'), [
      { literal: 'pre-' },
      { variable: 'request.header.x-id' },
      { literal: '-post' },
    ]);
  });

  it('ends a bare variable at the first character that cannot continue it', () => {
    assert.deepEqual(parseSelectionExpression('$request.body.a/$request.body.b'), [
      { variable: 'request.body.a' },
      { literal: '/' },
      { variable: 'request.body.b' },
    ]);
    assert.deepEqual(parseSelectionExpression('x $context.routeKey!'), [
      { literal: 'x ' },
      { variable: 'context.routeKey' },
      { literal: '!' },
    ]);
  });

  it('turns the \\$default escape into the literal $default', () => {
    assert.deepEqual(parseSelectionExpression('\\$default'), [{ literal: '$default' }]);
  });

  it('treats a plain $default as a literal, not a variable', () => {
    assert.deepEqual(parseSelectionExpression('$default'), [{ literal: '$default' }]);
  });

  it('only treats the whole expression $default as a literal', () => {
    assert.deepEqual(parseSelectionExpression('$default/x'), [{ variable: 'default' }, { literal: '/x' }]);
  });

  it('returns static words as one literal', () => {
    assert.deepEqual(parseSelectionExpression('hello'), [{ literal: 'hello' }]);
    assert.deepEqual(parseSelectionExpression('200'), [{ literal: '200' }]);
  });

  it('keeps a $ that does not start a variable as literal text', () => {
    assert.deepEqual(parseSelectionExpression('cost $5'), [{ literal: 'cost $5' }]);
    assert.deepEqual(parseSelectionExpression('a$'), [{ literal: 'a$' }]);
  });

  it('returns no parts for the empty expression', () => {
    assert.deepEqual(parseSelectionExpression(''), []);
  });

  it('rejects an unterminated ${', () => {
    rejectsWith(() => parseSelectionExpression('${request.body.a'), "unterminated '${' in '${request.body.a'");
    rejectsWith(() => parseSelectionExpression('x/${'), "unterminated '${' in 'x/${'");
  });

  it('rejects an invalid braced variable', () => {
    rejectsWith(() => parseSelectionExpression('${}'), "invalid variable '${}' in '${}'");
    rejectsWith(() => parseSelectionExpression('${1abc}'), "invalid variable '${1abc}' in '${1abc}'");
    rejectsWith(() => parseSelectionExpression('a${request body}'), "invalid variable '${request body}' in 'a${request body}'");
    rejectsWith(() => parseSelectionExpression('${request.}'), "invalid variable '${request.}' in '${request.}'");
  });
});

describe('checkSelectionExpression', () => {
  const allowed = ['request.body', 'request.header'];

  it('accepts variables under an allowed prefix, and the prefix itself', () => {
    assert.doesNotThrow(() => checkSelectionExpression('$request.body.action', allowed));
    assert.doesNotThrow(() => checkSelectionExpression('${request.header.x}/${request.body.a.b}', allowed));
    assert.doesNotThrow(() => checkSelectionExpression('$request.body', allowed));
  });

  it('accepts expressions without variables', () => {
    assert.doesNotThrow(() => checkSelectionExpression('$default', allowed));
    assert.doesNotThrow(() => checkSelectionExpression('\\$default', allowed));
    assert.doesNotThrow(() => checkSelectionExpression('static', []));
  });

  it('rejects a variable outside the allowed prefixes, listing them', () => {
    rejectsWith(
      () => checkSelectionExpression('$context.routeKey', allowed),
      "unsupported variable 'context.routeKey' in '$context.routeKey' (allowed: $request.body, $request.header)",
    );
  });

  it('matches prefixes on whole segments only', () => {
    rejectsWith(
      () => checkSelectionExpression('${request.bodyx.a}', allowed),
      "unsupported variable 'request.bodyx.a' in '${request.bodyx.a}' (allowed: $request.body, $request.header)",
    );
  });

  it('rejects when any one of several variables is not allowed', () => {
    rejectsWith(
      () => checkSelectionExpression('${request.body.a}/${integration.response.statuscode}', ['request.body']),
      "unsupported variable 'integration.response.statuscode' in '${request.body.a}/${integration.response.statuscode}' (allowed: $request.body)",
    );
  });

  it('propagates parse errors', () => {
    rejectsWith(() => checkSelectionExpression('${request.body', allowed), "unterminated '${' in '${request.body'");
  });
});
