import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileValidator, SchemaCompileError } from './json-schema-validate.js';

/** Asserts that `schema` accepts every value of `valid` and rejects every value of `invalid`. */
function check(schema: object, valid: readonly unknown[], invalid: readonly unknown[], resolveRef?: (ref: string) => object | undefined): void {
  const validate = compileValidator(schema, resolveRef);
  for (const v of valid) assert.equal(validate(v), true, `${JSON.stringify(schema)} should accept ${JSON.stringify(v)}`);
  for (const v of invalid) assert.equal(validate(v), false, `${JSON.stringify(schema)} should reject ${JSON.stringify(v)}`);
}

describe('json schema draft 4 validation: types and enum', () => {
  it('an empty schema accepts anything', () => check({}, [null, 1, 'a', [], {}, true], []));

  it('checks each primitive type', () => {
    check({ type: 'string' }, ['', 'x'], [1, null, [], {}, true]);
    check({ type: 'number' }, [1, 1.5, -0, 0], ['1', null, true]);
    check({ type: 'integer' }, [1, -3, 0, 1.0, 1e3], [1.5, '1', null]);
    check({ type: 'boolean' }, [true, false], [0, 'true', null]);
    check({ type: 'null' }, [null], [0, '', false, undefined]);
    check({ type: 'array' }, [[], [1]], [{}, 'a', null]);
    check({ type: 'object' }, [{}, { a: 1 }], [[], null, 'a']);
  });

  it('accepts a list of types', () => check({ type: ['string', 'null'] }, ['a', null], [1, {}]));

  it('compares enum values as JSON (deep, member order ignored)', () => {
    check({ enum: [1, 'a', null, { x: [1, 2], y: 1 }, [1]] }, [1, 1.0, 'a', null, { y: 1, x: [1, 2] }, [1]], [2, '1', { x: [2, 1], y: 1 }, [1, 1], false, {}]);
  });

  it('ignores format (as API Gateway does) and unknown keywords', () => {
    check({ type: 'string', format: 'email', 'x-custom': 1 }, ['not an email'], [3]);
    check({ format: 'date-time' }, ['nope', 4], []);
  });
});

describe('json schema draft 4 validation: numbers', () => {
  it('minimum and maximum, inclusive by default', () => {
    check({ minimum: 1, maximum: 3 }, [1, 2, 3, 'ignored', null], [0, 3.01, -1]);
  });

  it('boolean exclusiveMinimum / exclusiveMaximum', () => {
    check({ minimum: 1, exclusiveMinimum: true }, [1.0001, 2], [1, 0]);
    check({ maximum: 3, exclusiveMaximum: true }, [2.999], [3, 4]);
    check({ minimum: 1, exclusiveMinimum: false }, [1], [0.5]);
  });

  it('multipleOf: integers and decimals without float noise', () => {
    check({ multipleOf: 2 }, [0, 2, -4, 10, 'x'], [1, 3, 2.5]);
    check({ multipleOf: 0.1 }, [0.3, 0.7, 1.2, 10, 0], [0.35, 0.01]);
    check({ multipleOf: 0.01 }, [19.99, 0.07, 1e-2], [19.995]);
    check({ multipleOf: 1.5 }, [3, 4.5, -1.5], [2, 5]);
  });
});

describe('json schema draft 4 validation: strings', () => {
  it('minLength / maxLength count code points, not UTF-16 units', () => {
    check({ minLength: 2, maxLength: 3 }, ['ab', 'abc', '😀😀', 'é€x', 5], ['a', 'abcd', '😀', '']);
    check({ maxLength: 1 }, ['😀', ''], ['ab']);
  });

  it('pattern is an unanchored ECMA 262 regular expression', () => {
    check({ pattern: '^[a-z]+$' }, ['abc', 1], ['abc1', '', 'ABC']);
    check({ pattern: 'b' }, ['abc', 'b'], ['ac']);
  });
});

describe('json schema draft 4 validation: arrays', () => {
  it('items as one schema applies to every item', () => check({ items: { type: 'integer' } }, [[], [1, 2], 'not an array'], [[1, 'a'], [1.5]]));

  it('items as a tuple, with additionalItems true / false / schema', () => {
    check({ items: [{ type: 'string' }, { type: 'number' }] }, [[], ['a'], ['a', 1], ['a', 1, null]], [[1], ['a', 'b']]);
    check({ items: [{ type: 'string' }], additionalItems: false }, [[], ['a']], [['a', 'b']]);
    check({ items: [{ type: 'string' }], additionalItems: { type: 'boolean' } }, [['a', true, false]], [['a', true, 1]]);
  });

  it('additionalItems is ignored without tuple items', () => check({ additionalItems: false }, [[1, 2, 3]], []));

  it('minItems, maxItems', () => check({ minItems: 1, maxItems: 2 }, [[1], [1, 2], {}], [[], [1, 2, 3]]));

  it('uniqueItems compares items as JSON', () => {
    check({ uniqueItems: true }, [[], [1, '1'], [{ a: 1 }, { a: 2 }], [[1], [2]]], [[1, 1], [{ a: 1, b: 2 }, { b: 2, a: 1 }], [[1], [1]], [null, null]]);
    check({ uniqueItems: false }, [[1, 1]], []);
  });
});

describe('json schema draft 4 validation: objects', () => {
  it('required, including with properties', () => {
    check({ required: ['a', 'b'] }, [{ a: 1, b: null }, 'not an object', []], [{ a: 1 }, {}]);
  });

  it('does not treat inherited members as present', () => check({ required: ['constructor', 'toString'] }, [{ constructor: 1, toString: 2 }], [{}]));

  it('properties validate only the members present', () => {
    check({ properties: { a: { type: 'string' }, b: { minimum: 0 } } }, [{}, { a: 'x' }, { a: 'x', b: 1, c: false }], [{ a: 1 }, { b: -1 }]);
  });

  it('additionalProperties false / schema, with properties and patternProperties', () => {
    const schema = { properties: { a: {} }, patternProperties: { '^x-': { type: 'string' } }, additionalProperties: false };
    check(schema, [{}, { a: 1 }, { 'x-y': 's' }], [{ b: 1 }, { 'x-y': 1 }, { a: 1, z: 2 }]);
    check({ properties: { a: {} }, additionalProperties: { type: 'number' } }, [{ a: 'x', b: 1 }], [{ b: 'x' }]);
    check({ additionalProperties: true }, [{ anything: 1 }], []);
  });

  it('a member matching several patternProperties must satisfy each', () => {
    check({ patternProperties: { a: { type: 'string' }, b: { minLength: 2 } } }, [{ ab: 'xy' }, { a: 'x' }], [{ ab: 'x' }, { ab: 12 }]);
  });

  it('a declared property also matching a pattern must satisfy both', () => {
    check({ properties: { ab: { type: 'string' } }, patternProperties: { '^a': { maxLength: 1 } } }, [{ ab: 'x' }], [{ ab: 'xy' }]);
  });

  it('minProperties, maxProperties', () => check({ minProperties: 1, maxProperties: 2 }, [{ a: 1 }, { a: 1, b: 2 }, []], [{}, { a: 1, b: 2, c: 3 }]));

  it('dependencies: property lists and schemas', () => {
    check({ dependencies: { card: ['billing'] } }, [{}, { billing: 1 }, { card: 1, billing: 2 }], [{ card: 1 }]);
    check({ dependencies: { card: { required: ['cvv'], properties: { cvv: { type: 'string' } } } } }, [{}, { card: 1, cvv: '123' }], [{ card: 1 }, { card: 1, cvv: 123 }]);
  });
});

describe('json schema draft 4 validation: combinators', () => {
  it('allOf', () => check({ allOf: [{ type: 'number' }, { minimum: 2 }] }, [2, 3], [1, 'a']));
  it('anyOf', () => check({ anyOf: [{ type: 'string' }, { minimum: 2 }] }, ['a', 2, 5], [1]));
  it('oneOf: exactly one', () => check({ oneOf: [{ type: 'integer' }, { minimum: 2 }] }, [1, 2.5], [3, 1.5]));
  it('not', () => check({ not: { type: 'string' } }, [1, null, {}], ['a']));
  it('nested combinators', () => check({ anyOf: [{ allOf: [{ type: 'string' }, { not: { enum: ['x'] } }] }, { type: 'null' }] }, ['a', null], ['x', 1]));
});

describe('json schema draft 4 validation: $ref', () => {
  it('resolves #/definitions/x and ignores keywords beside $ref', () => {
    const schema = { definitions: { pos: { type: 'integer', minimum: 1 } }, properties: { n: { $ref: '#/definitions/pos', type: 'string' } } };
    check(schema, [{ n: 1 }, {}], [{ n: 0 }, { n: 'a' }]);
  });

  it('resolves # (recursion through the root)', () => {
    const tree = { type: 'object', required: ['value'], properties: { value: { type: 'number' }, children: { type: 'array', items: { $ref: '#' } } }, additionalProperties: false };
    check(tree, [{ value: 1 }, { value: 1, children: [{ value: 2, children: [{ value: 3 }] }] }], [{ value: 1, children: [{ value: 'x' }] }, { value: 1, children: [{}] }, { value: 1, extra: 1 }]);
  });

  it('follows JSON pointers with escapes and percent-encoding, and chains of references', () => {
    const schema = { definitions: { 'a/b': { type: 'string' }, 'c~d': { $ref: '#/definitions/a~1b' }, 'e f': { $ref: '#/definitions/c~0d' } }, $ref: '#/definitions/e%20f' };
    check(schema, ['x'], [1]);
  });

  it('resolves plain-name fragments declared with id', () => {
    check({ definitions: { n: { id: '#num', type: 'number' } }, items: { $ref: '#num' } }, [[1, 2]], [['a']]);
  });

  it('supports mutually recursive definitions', () => {
    const schema = { definitions: { a: { anyOf: [{ type: 'null' }, { type: 'object', properties: { b: { $ref: '#/definitions/b' } } }] }, b: { type: 'object', properties: { a: { $ref: '#/definitions/a' } } } }, $ref: '#/definitions/a' };
    check(schema, [null, { b: { a: null } }, { b: { a: { b: {} } } }], [{ b: { a: 1 } }, { b: 1 }]);
  });

  it('passes other references to resolveRef; the answer is the document its own local refs use', () => {
    const other = { definitions: { id: { type: 'string', minLength: 3 } }, type: 'object', properties: { id: { $ref: '#/definitions/id' } } };
    const resolve = (ref: string) => (ref === 'https://example.com/models/Item' ? other : undefined);
    check({ type: 'array', items: { $ref: 'https://example.com/models/Item' } }, [[{ id: 'abc' }]], [[{ id: 'ab' }], [1]], resolve);
    check({ $ref: 'https://example.com/models/Item#/definitions/id' }, ['abcd'], ['ab'], resolve);
  });

  it('throws at compile time for a reference that resolves nowhere', () => {
    assert.throws(() => compileValidator({ properties: { a: { $ref: '#/definitions/missing' } } }), SchemaCompileError);
    assert.throws(() => compileValidator({ $ref: 'https://example.com/x' }), SchemaCompileError);
    assert.throws(() => compileValidator({ $ref: 'https://example.com/x' }, () => undefined), SchemaCompileError);
  });
});

describe('json schema draft 4 validation: a realistic model', () => {
  const schema = {
    $schema: 'http://json-schema.org/draft-04/schema#',
    title: 'SendMessage',
    type: 'object',
    required: ['action', 'message'],
    properties: {
      action: { type: 'string', enum: ['sendmessage'] },
      message: { type: 'string', minLength: 1, maxLength: 140 },
      tags: { type: 'array', items: { type: 'string', pattern: '^#' }, uniqueItems: true, maxItems: 3 },
      priority: { type: 'integer', minimum: 0, maximum: 5 },
    },
    additionalProperties: false,
  };
  it('accepts and rejects messages', () => {
    check(
      schema,
      [{ action: 'sendmessage', message: 'hi' }, { action: 'sendmessage', message: 'hi', tags: ['#a', '#b'], priority: 5 }],
      [{ action: 'sendmessage' }, { action: 'other', message: 'hi' }, { action: 'sendmessage', message: '' }, { action: 'sendmessage', message: 'hi', tags: ['#a', '#a'] }, { action: 'sendmessage', message: 'hi', tags: ['a'] }, { action: 'sendmessage', message: 'hi', priority: 1.5 }, { action: 'sendmessage', message: 'hi', extra: 1 }, 'sendmessage', null],
    );
  });

  it('compiles once and is reusable', () => {
    const validate = compileValidator(schema);
    for (let i = 0; i < 3; i++) {
      assert.equal(validate({ action: 'sendmessage', message: 'x' }), true);
      assert.equal(validate({}), false);
    }
  });
});
