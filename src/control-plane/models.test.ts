import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invalidModelSchema, isJsonContentType } from './models.js';

describe('model content types', () => {
  it('application/json, +json types (with parameters, any case) and no content type hold JSON Schemas', () => {
    for (const type of [undefined, 'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/problem+json', 'application/vnd.api+json']) {
      assert.equal(isJsonContentType(type), true, String(type));
    }
  });

  it('other content types hold schemas Gatehouse stores without parsing', () => {
    for (const type of ['text/plain', 'application/xml', 'text/x-json', 'application/jsonx', 'application/json-seq', '+json', '']) {
      assert.equal(isJsonContentType(type), false, type);
    }
  });
});

describe('invalidModelSchema', () => {
  it("uses AWS's words, one 'Invalid model schema specified' entry per problem, the first three shown", () => {
    const err = invalidModelSchema(['#/a: one', '#/b: two']);
    assert.equal(err.name, 'BadRequestException');
    assert.equal(err.message, 'Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified. #/a: one, Invalid model schema specified. #/b: two]');
    assert.equal(
      invalidModelSchema(['1', '2', '3', '4', '5']).message,
      'Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified. 1, Invalid model schema specified. 2, Invalid model schema specified. 3, and 2 more]',
    );
  });
});
