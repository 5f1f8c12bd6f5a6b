import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDraft4Schema, MAX_SCHEMA_DEPTH } from './json-schema-draft4.js';

const TYPES = '(array, boolean, integer, null, number, object, string)';

/** Sample models from the API Gateway developer guide ("Data models for REST APIs", the photo album and mapping examples). */
const awsSamples: [string, unknown][] = [
  [
    'PetStoreModel',
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      title: 'PetStoreModel',
      type: 'object',
      required: ['price', 'type'],
      properties: {
        id: { type: 'integer' },
        type: { type: 'string', enum: ['dog', 'cat', 'fish'] },
        price: { type: 'number', minimum: 25.0, maximum: 500.0 },
      },
    },
  ],
  [
    'Pets (an array of references to the Pet model)',
    { $schema: 'http://json-schema.org/draft-04/schema#', title: 'Pets', type: 'array', items: { $ref: 'https://apigateway.amazonaws.com/restapis/a1b2c3d4e5/models/Pet' } },
  ],
  [
    'User (knowledge center)',
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      title: 'User',
      type: 'object',
      properties: { UserID: { type: 'string' }, Name: { type: 'string' }, Age: { description: 'Age in years', type: 'integer', minimum: 18 } },
      required: ['UserID', 'Name'],
    },
  ],
  [
    'PhotosInputModel',
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      title: 'PhotosInputModel',
      type: 'object',
      properties: {
        photos: {
          type: 'object',
          required: ['photo'],
          properties: {
            page: { type: 'integer' },
            pages: { type: 'string' },
            perpage: { type: 'integer', minimum: 10 },
            total: { type: 'string' },
            photo: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  id: { type: 'string' },
                  owner: { type: 'string' },
                  secret: { type: 'string' },
                  farm: { type: 'integer' },
                  title: { type: 'string' },
                  ispublic: { type: 'boolean' },
                },
              },
            },
          },
        },
      },
    },
  ],
  [
    'Result (properties referencing other models)',
    {
      type: 'object',
      properties: {
        input: { $ref: 'https://apigateway.amazonaws.com/restapis/restapi-id/models/Input' },
        output: { $ref: 'https://apigateway.amazonaws.com/restapis/restapi-id/models/Output' },
      },
      title: 'Output',
    },
  ],
  ['Empty (the console default)', { $schema: 'http://json-schema.org/draft-04/schema#', title: 'Empty Schema', type: 'object' }],
  ['Error', { $schema: 'http://json-schema.org/draft-04/schema#', title: 'Error Schema', type: 'object', properties: { message: { type: 'string' } } }],
];

const valid: [string, unknown][] = [
  ['the empty schema', {}],
  ['$schema without the empty fragment', { $schema: 'http://json-schema.org/draft-04/schema' }],
  ['an array of types', { type: ['string', 'null'] }],
  ['every keyword in its draft-4 form', {
    id: 'http://example.com/chat#',
    title: 't',
    description: 'd',
    default: { anything: [1, 2] },
    type: 'object',
    properties: { body: { type: 'string', minLength: 0, maxLength: 1024, pattern: '^[^<>]*$', format: 'uri' } },
    patternProperties: { '^x-[a-z]+$': { type: 'string' }, '\\d{3}': {} },
    additionalProperties: false,
    required: ['body'],
    minProperties: 1,
    maxProperties: 10,
    dependencies: { card: ['billing'], billing: { required: ['card'] } },
    allOf: [{}, { type: 'object' }],
    anyOf: [{ required: ['body'] }],
    oneOf: [{ minProperties: 1 }, { maxProperties: 5 }],
    not: { type: 'null' },
    enum: [{ body: 'a' }, { body: 'b' }, 1, '1', null],
  }],
  ['numeric keywords with exclusive bounds', { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 1.5, exclusiveMaximum: false, multipleOf: 0.5 }],
  ['array keywords', { type: 'array', items: [{ type: 'string' }, { type: 'integer' }], additionalItems: { type: 'boolean' }, minItems: 1, maxItems: 3, uniqueItems: true }],
  ['additionalProperties as a schema', { additionalProperties: { type: 'integer' } }],
  ['local references into definitions', {
    definitions: { address: { type: 'object', properties: { zip: { $ref: '#/definitions/zip' } } }, zip: { type: 'string', pattern: '^[0-9]{5}$' } },
    properties: { home: { $ref: '#/definitions/address' }, self: { $ref: '#' }, tree: { items: { $ref: '#/properties/tree' } } },
  }],
  ['references with escaped and percent-encoded tokens', { definitions: { 'a/b': {}, 'c~d': {}, 'e f': {} }, allOf: [{ $ref: '#/definitions/a~1b' }, { $ref: '#/definitions/c~0d' }, { $ref: '#/definitions/e%20f' }] }],
  ['a reference into an array', { anyOf: [{ type: 'string' }, { $ref: '#/anyOf/0' }] }],
  ['a plain-name fragment declared by id', { definitions: { pos: { id: '#positive', minimum: 0 } }, properties: { n: { $ref: '#positive' } } }],
  ['remote references', { properties: { a: { $ref: 'http://json-schema.org/draft-04/schema#' }, b: { $ref: 'urn:example:model' } } }],
  ['unknown keywords, whatever their form', { type: 'object', 'x-amazon-apigateway': 5, const: [], examples: 'x', properties: { a: { nullable: 'yes', discriminator: {} } } }],
  ['names that are keywords or Object.prototype members', { properties: { type: { type: 'string' }, constructor: {}, toString: {}, required: {} }, required: ['type', 'constructor'] }],
];

const invalid: [string, unknown, string[]][] = [
  ['a misspelt type', { properties: { age: { type: 'integr' } } }, [`#/properties/age/type: "integr" is not a JSON Schema type ${TYPES}`]],
  ['a type that is not a string', { type: 5 }, [`#/type: must be a type name ${TYPES} or an array of them, got 5`]],
  ['an empty type array', { type: [] }, ['#/type: must not be an empty array']],
  ['a type array with duplicates and strangers', { type: ['string', 'string', 'text', 1] }, [
    '#/type/1: "string" appears more than once',
    `#/type/2: "text" is not a JSON Schema type ${TYPES}`,
    `#/type/3: must be a type name ${TYPES}, got 1`,
  ]],
  ['properties that are not an object', { properties: ['a'] }, ['#/properties: must be an object mapping names to schemas, got an array']],
  ['a property that is not a schema', { properties: { age: 'integer' } }, ['#/properties/age: must be a schema (a JSON object), got "integer"']],
  ['definitions that are not schemas', { definitions: { a: true, b: null } }, ['#/definitions/a: must be a schema (a JSON object), got true', '#/definitions/b: must be a schema (a JSON object), got null']],
  ['an invalid patternProperties regex', { patternProperties: { '[a-': { type: 'string' } } }, ['#/patternProperties/[a-: "[a-" is not a valid regular expression (Unterminated character class)']],
  ['an invalid pattern', { pattern: '(unclosed' }, ['#/pattern: "(unclosed" is not a valid regular expression (Unterminated group)']],
  ['a pattern that is not a string', { pattern: 5 }, ['#/pattern: must be a string, got 5']],
  ['additionalProperties of another form', { additionalProperties: 'no', additionalItems: 0 }, [
    '#/additionalProperties: must be a schema (a JSON object), got "no"',
    '#/additionalItems: must be a schema (a JSON object), got 0',
  ]],
  ['items of another form', { items: true }, ['#/items: must be a schema (a JSON object), got true']],
  ['an empty items array', { items: [] }, ['#/items: must be a non-empty array of schemas, got an empty array']],
  ['an items array element that is not a schema', { items: [{}, 'x'] }, ['#/items/1: must be a schema (a JSON object), got "x"']],
  ['an empty required (draft 4)', { required: [] }, ['#/required: must not be an empty array in draft 4 (list at least one property name)']],
  ['required of another form', { required: 'name' }, ['#/required: must be a non-empty array of property names, got "name"']],
  ['required with duplicates and non-strings', { required: ['a', 'a', 3] }, ['#/required/1: "a" appears more than once', '#/required/2: must be a string, got 3']],
  ['a required: true from draft 3', { properties: { a: { required: true } } }, ['#/properties/a/required: must be a non-empty array of property names, got true']],
  ['an empty enum', { enum: [] }, ['#/enum: must not be an empty array']],
  ['an enum of another form', { enum: 'a' }, ['#/enum: must be a non-empty array, got "a"']],
  ['an enum with duplicates', { enum: [{ a: 1, b: [2] }, 'x', { b: [2], a: 1 }, 'x'] }, [
    '#/enum/2: duplicates #/enum/0 (enum values must be unique)',
    '#/enum/3: duplicates #/enum/1 (enum values must be unique)',
  ]],
  ['empty combinators', { allOf: [], anyOf: {}, oneOf: [1] }, [
    '#/allOf: must be a non-empty array of schemas, got an empty array',
    '#/anyOf: must be a non-empty array of schemas, got an object',
    '#/oneOf/0: must be a schema (a JSON object), got 1',
  ]],
  ['not of another form', { not: [] }, ['#/not: must be a schema (a JSON object), got an array']],
  ['dependencies of other forms', { dependencies: { a: [], b: 'c', c: ['d', 'd'], d: { type: 'nope' } } }, [
    '#/dependencies/a: must not be an empty array in draft 4 (list at least one property name)',
    '#/dependencies/b: must be a schema or a non-empty array of property names, got "c"',
    '#/dependencies/c/1: "d" appears more than once',
    `#/dependencies/d/type: "nope" is not a JSON Schema type ${TYPES}`,
  ]],
  ['dependencies that are not an object', { dependencies: ['a'] }, ['#/dependencies: must be an object mapping property names to schemas or property name arrays, got an array']],
  ['bounds that are not numbers', { minimum: '1', maximum: null }, ['#/minimum: must be a number, got "1"', '#/maximum: must be a number, got null']],
  ['a draft-6 numeric exclusiveMinimum', { exclusiveMinimum: 5 }, [
    '#/exclusiveMinimum: must be a boolean in draft 4 (the bound itself goes in minimum), got 5',
    '#/exclusiveMinimum: requires minimum',
  ]],
  ['an exclusiveMaximum without maximum', { minimum: 1, exclusiveMaximum: true }, ['#/exclusiveMaximum: requires maximum']],
  ['multipleOf zero, negative or not a number', { allOf: [{ multipleOf: 0 }, { multipleOf: -2 }, { multipleOf: '2' }] }, [
    '#/allOf/0/multipleOf: must be a number greater than 0, got 0',
    '#/allOf/1/multipleOf: must be a number greater than 0, got -2',
    '#/allOf/2/multipleOf: must be a number greater than 0, got "2"',
  ]],
  ['length and count keywords that are not non-negative integers', { minLength: -1, maxLength: 1.5, minItems: '1', maxItems: null, minProperties: true, maxProperties: -0.5 }, [
    '#/minLength: must be a non-negative integer, got -1',
    '#/maxLength: must be a non-negative integer, got 1.5',
    '#/minItems: must be a non-negative integer, got "1"',
    '#/maxItems: must be a non-negative integer, got null',
    '#/minProperties: must be a non-negative integer, got true',
    '#/maxProperties: must be a non-negative integer, got -0.5',
  ]],
  ['uniqueItems that is not a boolean', { uniqueItems: 'true' }, ['#/uniqueItems: must be a boolean, got "true"']],
  ['annotations that are not strings', { title: 1, description: {}, format: [], id: 2 }, [
    '#/title: must be a string, got 1',
    '#/description: must be a string, got an object',
    '#/format: must be a string, got an array',
    '#/id: must be a string, got 2',
  ]],
  ['a local reference that does not resolve', { properties: { a: { $ref: '#/definitions/missing' }, b: { $ref: '#/properties/a/0' }, c: { $ref: '#nowhere' } } }, [
    '#/properties/a/$ref: "#/definitions/missing" does not resolve within the schema',
    '#/properties/b/$ref: "#/properties/a/0" does not resolve within the schema',
    '#/properties/c/$ref: "#nowhere" does not resolve within the schema',
  ]],
  ['references into arrays out of range or not by index', { anyOf: [{}], allOf: [{ $ref: '#/anyOf/1' }, { $ref: '#/anyOf/00' }, { $ref: '#/anyOf/-' }] }, [
    '#/allOf/0/$ref: "#/anyOf/1" does not resolve within the schema',
    '#/allOf/1/$ref: "#/anyOf/00" does not resolve within the schema',
    '#/allOf/2/$ref: "#/anyOf/-" does not resolve within the schema',
  ]],
  ['malformed references', { allOf: [{ $ref: 'Pet' }, { $ref: 'https://' }, { $ref: 'http://a b/c' }, { $ref: '#/%E0%A4%A' }, { $ref: 3 }] }, [
    '#/allOf/0/$ref: "Pet" is neither a local reference (#/...) nor an absolute URL',
    '#/allOf/1/$ref: "https://" is neither a local reference (#/...) nor an absolute URL',
    '#/allOf/2/$ref: "http://a b/c" is neither a local reference (#/...) nor an absolute URL',
    '#/allOf/3/$ref: "#/%E0%A4%A" does not resolve within the schema',
    '#/allOf/4/$ref: must be a string, got 3',
  ]],
  ['escaped names in paths', { properties: { 'a/b': { type: 'x' }, 'c~d': { type: 'y' } } }, [
    `#/properties/a~1b/type: "x" is not a JSON Schema type ${TYPES}`,
    `#/properties/c~0d/type: "y" is not a JSON Schema type ${TYPES}`,
  ]],
  ['problems deep in the tree, in document order', {
    type: 'object',
    properties: { list: { type: 'array', items: { properties: { n: { type: 'int', minimum: 'zero' } }, required: [] } } },
    required: ['list', 'list'],
  }, [
    `#/properties/list/items/properties/n/type: "int" is not a JSON Schema type ${TYPES}`,
    '#/properties/list/items/properties/n/minimum: must be a number, got "zero"',
    '#/properties/list/items/required: must not be an empty array in draft 4 (list at least one property name)',
    '#/required/1: "list" appears more than once',
  ]],
  ['a nested $schema that is not a string', { properties: { a: { $schema: 4 } } }, ['#/properties/a/$schema: must be a string, got 4']],
  ['long values, shortened', { type: 'x'.repeat(100) }, [`#/type: "${'x'.repeat(56)}... is not a JSON Schema type ${TYPES}`]],
];

describe('checkDraft4Schema', () => {
  for (const [name, schema] of awsSamples) {
    it(`accepts the AWS sample model ${name}`, () => assert.deepEqual(checkDraft4Schema(schema), []));
  }
  for (const [name, schema] of valid) {
    it(`accepts ${name}`, () => assert.deepEqual(checkDraft4Schema(schema), []));
  }
  for (const [name, schema, problems] of invalid) {
    it(`rejects ${name}`, () => assert.deepEqual(checkDraft4Schema(schema), problems));
  }

  it('rejects a document that is not an object', () => {
    assert.deepEqual(checkDraft4Schema([]), ['#: must be a schema (a JSON object), got an array']);
    assert.deepEqual(checkDraft4Schema('x'), ['#: must be a schema (a JSON object), got "x"']);
    assert.deepEqual(checkDraft4Schema(null), ['#: must be a schema (a JSON object), got null']);
  });

  it('rejects any other $schema, naming it and nothing else', () => {
    for (const uri of ['http://json-schema.org/draft-07/schema#', 'https://json-schema.org/draft-04/schema#', 'http://json-schema.org/schema#', '']) {
      assert.deepEqual(checkDraft4Schema({ $schema: uri, type: 'nope', exclusiveMinimum: 3 }), [
        `#/$schema: unsupported schema version ${JSON.stringify(uri)} (model schemas are JSON Schema draft 4: http://json-schema.org/draft-04/schema#)`,
      ]);
    }
    assert.deepEqual(checkDraft4Schema({ $schema: 4 }), ['#/$schema: must be a string, got 4']);
  });

  it('parses JSON with a __proto__ member as data, not as a prototype', () => {
    assert.deepEqual(checkDraft4Schema(JSON.parse('{"properties":{"__proto__":{"type":"bad"}},"__proto__":{"type":"object"}}')), [
      `#/properties/__proto__/type: "bad" is not a JSON Schema type ${TYPES}`,
    ]);
  });

  it('refuses documents nested too deeply instead of overflowing the stack', () => {
    const deep = JSON.parse(`${'{"not":'.repeat(20000)}{}${'}'.repeat(20000)}`) as unknown;
    const problems = checkDraft4Schema(deep);
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', new RegExp(`^#/not/not/.*\\.\\.\\.: the schema is nested more than ${MAX_SCHEMA_DEPTH} levels deep$`));
    const ok = JSON.parse(`${'{"not":'.repeat(MAX_SCHEMA_DEPTH)}{}${'}'.repeat(MAX_SCHEMA_DEPTH)}`) as unknown;
    assert.deepEqual(checkDraft4Schema(ok), []);
    const enumDeep = { enum: [JSON.parse(`${'['.repeat(5000)}${']'.repeat(5000)}`) as unknown] };
    assert.equal(checkDraft4Schema(enumDeep).length, 1);
  });
});
