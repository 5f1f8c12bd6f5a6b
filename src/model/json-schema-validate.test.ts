import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileValidator, DEFAULT_VALIDATION_LIMITS, SchemaCompileError } from './json-schema-validate.js';

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

  it('throws at compile time for a reference that resolves nowhere, naming where it is', () => {
    assert.throws(() => compileValidator({ properties: { a: { $ref: '#/definitions/missing' } } }), {
      name: 'SchemaCompileError',
      message: '#/properties/a/$ref: "#/definitions/missing" does not resolve to a schema',
    });
    assert.throws(() => compileValidator({ $ref: 'https://example.com/x' }), SchemaCompileError);
    assert.throws(() => compileValidator({ $ref: 'https://example.com/x' }, () => undefined), SchemaCompileError);
    assert.throws(() => compileValidator({ required: ['a'], $ref: '#/required' }), { message: '#/$ref: "#/required" does not resolve to a schema' });
  });

  it('throws at compile time for a pattern that is not a regular expression', () => {
    assert.throws(() => compileValidator({ properties: { a: { pattern: '(' } } }), { name: 'SchemaCompileError', message: /^#\/properties\/a\/pattern: "\(" is not a valid regular expression/ });
    assert.throws(() => compileValidator({ patternProperties: { '[': {} } }), { message: /^#\/patternProperties\/\[: "\[" is not a valid regular expression/ });
  });
});

describe('json schema draft 4 validation: references that loop', () => {
  const loops = (schema: object, message: string, resolveRef?: (ref: string) => object | undefined) =>
    assert.throws(() => compileValidator(schema, resolveRef), { name: 'SchemaCompileError', message });

  it('refuses a schema that is a reference to itself', () => {
    loops({ $ref: '#' }, '#: the schema applies itself to the same value again, without end (# -> #)');
  });

  it('refuses definitions that refer to each other without descending into the value, used or not', () => {
    const aba = { definitions: { a: { $ref: '#/definitions/b' }, b: { $ref: '#/definitions/a' } } };
    loops(aba, '#/definitions/a: the schema applies itself to the same value again, without end (#/definitions/a -> #/definitions/b -> #/definitions/a)');
    loops({ ...aba, $ref: '#/definitions/a' }, '#/definitions/a: the schema applies itself to the same value again, without end (#/definitions/a -> #/definitions/b -> #/definitions/a)');
  });

  it('refuses loops through allOf, anyOf, oneOf, not and schema dependencies', () => {
    loops({ allOf: [{ type: 'object' }, { $ref: '#' }] }, '#: the schema applies itself to the same value again, without end (# -> #/allOf/1 -> #)');
    // anyOf would end for a string, but not for anything else
    loops({ anyOf: [{ type: 'string' }, { $ref: '#' }] }, '#: the schema applies itself to the same value again, without end (# -> #/anyOf/1 -> #)');
    loops({ oneOf: [{ $ref: '#' }] }, '#: the schema applies itself to the same value again, without end (# -> #/oneOf/0 -> #)');
    loops({ not: { $ref: '#' } }, '#: the schema applies itself to the same value again, without end (# -> #/not -> #)');
    loops({ dependencies: { a: { $ref: '#' } } }, '#: the schema applies itself to the same value again, without end (# -> #/dependencies/a -> #)');
  });

  it('refuses a loop across documents given by resolveRef', () => {
    const docs: Record<string, object> = { 'https://example.com/models/A': { $ref: 'https://example.com/models/B' }, 'https://example.com/models/B': { allOf: [{ $ref: 'https://example.com/models/A' }] } };
    loops(
      { $ref: 'https://example.com/models/A' },
      'https://example.com/models/A#: the schema applies itself to the same value again, without end (https://example.com/models/A# -> https://example.com/models/B# -> https://example.com/models/B#/allOf/0 -> https://example.com/models/A#)',
      (ref) => docs[ref],
    );
  });

  it('accepts recursion that descends into the value: items, properties, patternProperties, additionalProperties, additionalItems', () => {
    const tree = { definitions: { node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/definitions/node' } } } } }, $ref: '#/definitions/node' };
    check(tree, [{}, { children: [{ children: [{}] }] }], [{ children: [1] }, { children: [{ children: 'x' }] }]);
    check({ patternProperties: { '^n': { $ref: '#' } }, additionalProperties: { $ref: '#' }, type: 'object' }, [{ n1: { x: {} } }], [{ n1: { x: 1 } }]);
    check({ items: [{ type: 'integer' }], additionalItems: { $ref: '#' } }, [[1, [2, [3]]]], [[1, ['x']], [1, [2, ['y']]]]);
  });
});

describe('json schema draft 4 validation: limits', () => {
  const tree = { type: 'object', properties: { c: { type: 'array', items: { $ref: '#' } } } };
  /** `{"c":[{"c":[ … {} … ]}]}`, `nodes` objects deep (two value levels each). */
  const treeOf = (nodes: number) => {
    let v: object = {};
    for (let i = 1; i < nodes; i++) v = { c: [v] };
    return v;
  };
  /** `[[[ … ]]]`, `n` arrays deep. */
  const arrays = (n: number) => {
    let v: unknown[] = [];
    for (let i = 1; i < n; i++) v = [v];
    return v;
  };

  it('a value deeper than maxDepth fails; up to it, recursion follows the value', () => {
    const validate = compileValidator(tree, undefined, { ...DEFAULT_VALIDATION_LIMITS, maxDepth: 10 });
    assert.equal(validate(treeOf(6)), true); // the deepest object is at depth 10
    assert.equal(validate(treeOf(7)), false);
    const byDefault = compileValidator(tree);
    assert.equal(byDefault(treeOf(100)), true);
    assert.equal(byDefault(treeOf(129)), true);
    assert.equal(byDefault(treeOf(130)), false);
  });

  it('a hostile value far deeper than the stack fails instead of throwing', () => {
    const validate = compileValidator({ items: { $ref: '#' } });
    assert.equal(validate(arrays(200)), true);
    assert.equal(validate(arrays(100_000)), false);
    assert.equal(compileValidator(tree)(treeOf(60_000)), false);
  });

  it('caps the nesting of schema applications (schemas nested within each level of the value)', () => {
    let schema: object = { properties: { c: { $ref: '#' } } };
    for (let i = 0; i < 50; i++) schema = { allOf: [schema] };
    let value: object = {};
    for (let i = 0; i < 30; i++) value = { c: value };
    assert.equal(compileValidator(schema, undefined, { ...DEFAULT_VALIDATION_LIMITS, maxNesting: 100_000 })(value), true);
    assert.equal(compileValidator(schema)(value), false); // 30 levels × 52 applications > 1,000
  });

  it('caps the total work: an exponential schema fails quickly', () => {
    // Each level tries two branches that both descend and then fail: 2^depth applications unbounded.
    const branch = { properties: { c: { $ref: '#/definitions/n' } }, not: {} };
    const schema = { definitions: { n: { anyOf: [branch, { ...branch }] } }, $ref: '#/definitions/n' };
    let value: object = {};
    for (let i = 0; i < 60; i++) value = { c: value };
    const started = Date.now();
    assert.equal(compileValidator(schema)(value), false);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    assert.equal(compileValidator({ items: {} }, undefined, { ...DEFAULT_VALIDATION_LIMITS, maxSteps: 10 })(new Array(20).fill(1)), false);
    assert.equal(compileValidator({ items: {} }, undefined, { ...DEFAULT_VALIDATION_LIMITS, maxSteps: 30 })(new Array(20).fill(1)), true);
  });

  it('a cap hit under not does not turn into a pass', () => {
    const validate = compileValidator({ not: { items: { items: { items: {} } } } }, undefined, { ...DEFAULT_VALIDATION_LIMITS, maxDepth: 1 });
    assert.equal(validate([[[1]]]), false);
    assert.equal(validate('x'), false); // `not` of a schema that accepts a string
    assert.equal(compileValidator({ not: { type: 'string' } }, undefined, { ...DEFAULT_VALIDATION_LIMITS, maxDepth: 1 })(1), true);
  });

  it('uniqueItems compares deep items without recursion, in linear time', () => {
    const validate = compileValidator({ uniqueItems: true });
    assert.equal(validate([arrays(50_000), arrays(50_000)]), false);
    assert.equal(validate([arrays(50_000), arrays(49_999)]), true);
    assert.equal(validate([{ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }]), false);
    assert.equal(validate([{ a: 1 }, { a: '1' }, { 'a"': 1 }, ['a', 1], 0, -0.5, '0', null, false]), true);
    const started = Date.now();
    assert.equal(validate(Array.from({ length: 60_000 }, (_, i) => i)), true);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
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
