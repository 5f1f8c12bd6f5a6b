/**
 * Generators of management API requests from the operation table (src/model/): for each operation
 * its URI labels, query and JSON body, valid and near-valid per the model's shapes, mixed with
 * hostile values (inherited-property names, dot segments, encoded slashes, unicode, huge strings,
 * wrong types, deep nesting, OpenAPI documents with `__proto__` paths and members).
 */
import fc from 'fast-check';
import type { OperationSpec, ShapeSpec } from '../../src/model/service-model.js';
import { membersOf, OPERATIONS, shape } from '../../src/model/service-model.js';

/** Names every plain object inherits (or that set its prototype): ids, map keys, members. */
export const INHERITED_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'propertyIsEnumerable', '__defineGetter__', 'toLocaleString'];

/** Path-label values that are not plain ids: raw text as it goes on the wire (already encoded). */
const HOSTILE_LABELS = [
  ...INHERITED_KEYS,
  '..',
  '.',
  '%2e%2e',
  '%2E',
  '%2F',
  'a%2Fb',
  '%2F..%2F',
  '..%2F..',
  '%00',
  '%zz',
  '%C3%A9t%C3%A9',
  '%E2%80%AE',
  '%F0%9F%92%A5',
  'a'.repeat(3000),
  '%24default',
  '%20',
  'null',
  'undefined',
];

/** Something to put in a body member: any JSON value, biased towards what breaks code. */
const hostileScalar = fc.oneof(
  fc.constantFrom(...INHERITED_KEYS),
  fc.constantFrom('', ' ', '..', '$default', '$request.body.action', '${stageVariables.__proto__}', '\u0000', '\u202e', '💥', 'é'),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constant('x'.repeat(70_000)),
  fc.integer(),
  fc.constantFrom(-1, 0, 1e308, -1e308, 2 ** 53, 0.5),
  fc.boolean(),
  fc.constant(null),
);

const anyJson = fc.oneof(hostileScalar, fc.array(hostileScalar, { maxLength: 3 }), fc.dictionary(fc.constantFrom(...INHERITED_KEYS, 'a'), hostileScalar, { maxKeys: 3 }));

/** An object whose own members are `entries` (`__proto__` included as an own member, as JSON.parse makes it). */
function objectOf(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  return Object.fromEntries(entries);
}

const mapKey = (keyShape: string): fc.Arbitrary<string> =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...INHERITED_KEYS) }, { weight: 2, arbitrary: validString(keyShape) }, { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) });

/** Plausible strings for a member, by its name (so some requests get past validation). */
function plausibleStrings(member: string): string[] {
  const m = member.toLowerCase();
  if (m.includes('routekey')) return ['GET /fuzz', 'ANY /{proxy+}', '$default', 'POST /a/{b}', 'sendmessage'];
  if (m.includes('selectionexpression')) return ['$request.body.action', '$request.method $request.path', '${request.body.action}', '$default'];
  if (m.includes('uri') || m.includes('arn')) return ['https://example.com/x', 'arn:aws:lambda:us-east-1:123456789012:function:f', 'arn:aws:apigateway:us-east-1::/apis/x'];
  if (m.includes('stagename')) return ['dev', '$default', 'fuzz_stage'];
  if (m.includes('domainname')) return ['fuzz.example.com', 'x.example.org'];
  if (m.includes('schema')) return ['{"type":"object"}', '{"$ref":"#"}', '{"type":"object","properties":{"__proto__":{"type":"string"}}}'];
  if (m.includes('contenttype')) return ['application/json', 'text/plain'];
  if (m.includes('name')) return ['fuzz', 'constructor', 'x_y'];
  if (m.includes('source')) return ['$request.header.Authorization', 'route.request.header.x'];
  return ['fuzz', 'x'];
}

function validString(shapeName: string, member = ''): fc.Arbitrary<string> {
  const s = shape(shapeName);
  const min = s.type === 'string' ? (s.min ?? 0) : 0;
  const max = s.type === 'string' ? Math.min(s.max ?? 64, 64) : 64;
  return fc.oneof(fc.constantFrom(...plausibleStrings(member)), fc.string({ minLength: min, maxLength: Math.max(min, max) }));
}

/**
 * A value for a shape: usually of the shape, sometimes near it, sometimes hostile. `clean` values
 * keep to the shape (hostile names only as map keys and strings), so that calls get past validation.
 */
export function valueFor(shapeName: string, member: string, depth: number, clean = false): fc.Arbitrary<unknown> {
  const s: ShapeSpec = shape(shapeName);
  const hostile = { weight: 1, arbitrary: depth > 3 ? hostileScalar : anyJson };
  let good: fc.Arbitrary<unknown>;
  switch (s.type) {
    case 'string':
      good = validString(shapeName, member);
      break;
    case 'timestamp':
      good = fc.constantFrom('2026-01-01T00:00:00Z', 'yesterday');
      break;
    case 'enum':
      good = clean ? fc.constantFrom(...s.values) : fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...s.values) }, { weight: 1, arbitrary: fc.constantFrom('http', 'HTTPS', 'constructor') });
      break;
    case 'integer':
    case 'double':
      good = clean ? fc.integer({ min: s.min ?? 0, max: s.max ?? 30_000 }) : fc.oneof(fc.integer({ min: s.min ?? -5, max: s.max ?? 30_000 }), fc.constantFrom(-1, 0, 1.5, 2 ** 31, 1e21));
      break;
    case 'boolean':
      good = fc.boolean();
      break;
    case 'blob':
      good = fc.string({ maxLength: 8 });
      break;
    case 'list':
      good = depth > 3 ? fc.constant([]) : fc.array(valueFor(s.member, member, depth + 1, clean), { maxLength: 3 });
      break;
    case 'map':
      good =
        depth > 3
          ? fc.constant({})
          : fc.array(fc.tuple(mapKey(s.key), valueFor(s.value, member, depth + 1, clean)), { maxLength: 3 }).map((entries) => objectOf(entries));
      break;
    case 'structure':
      good = depth > 3 ? fc.constant({}) : structureFor(shapeName, depth + 1, clean);
      break;
  }
  return clean ? good : fc.oneof({ weight: 5, arbitrary: good }, hostile);
}

/** A structure: a random subset of its body members (the required ones when clean), plus now and then a hostile extra member. */
function structureFor(shapeName: string, depth: number, clean = false): fc.Arbitrary<Record<string, unknown>> {
  const bodyMembers = Object.entries(membersOf(shapeName)).filter(([, m]) => m.location === undefined);
  const memberArbs = bodyMembers.map(([name, m]) => {
    const entry = valueFor(m.shape, name, depth, clean).map((v) => [name, v] as const);
    return clean && m.required ? entry : fc.option(entry, { freq: clean ? 1 : 2, nil: undefined });
  });
  const extras = fc.array(fc.tuple(fc.constantFrom(...INHERITED_KEYS), anyJson), { maxLength: 2 });
  return fc.tuple(fc.tuple(...memberArbs), fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: extras })).map(([members, extra]) =>
    objectOf([...members.filter((m): m is readonly [string, unknown] => m !== undefined), ...extra]),
  );
}

/** An OpenAPI 3 document for ImportApi/ReimportApi with inherited-property names where names go. */
const openApiDocument: fc.Arbitrary<string> = fc
  .record({
    path: fc.constantFrom('/__proto__', '/constructor', '/items/{__proto__}', '/toString', '/ok'),
    method: fc.constantFrom('get', 'x-amazon-apigateway-any-method', '__proto__', 'constructor'),
    key: fc.constantFrom(...INHERITED_KEYS),
    value: anyJson,
    format: fc.constantFrom('json', 'yaml'),
    pathsAsArray: fc.boolean(),
  })
  .map(({ path, method, key, value, format, pathsAsArray }) => {
    // Built from JSON text so `__proto__` stays an own member of each object.
    const integration = `{"type":"http_proxy","httpMethod":"GET","uri":"https://example.com/x","payloadFormatVersion":"1.0",${JSON.stringify(key)}:${JSON.stringify(value)}}`;
    const operation = `{"responses":{"default":{"description":"ok"}},"x-amazon-apigateway-integration":${integration},"parameters":[{"name":${JSON.stringify(key)},"in":"path","required":true}],"security":[{${JSON.stringify(key)}:[]}]}`;
    const paths = pathsAsArray ? '[]' : `{${JSON.stringify(path)}:{${JSON.stringify(method)}:${operation}},${JSON.stringify(key)}:{"get":${operation}}}`;
    const text =
      `{"openapi":"3.0.1","info":{"title":"fuzz","version":"1"},"paths":${paths},` +
      `"components":{"securitySchemes":{${JSON.stringify(key)}:{"type":"oauth2","x-amazon-apigateway-authorizer":{"type":"jwt","jwtConfiguration":{"issuer":"https://issuer.example.com","audience":["a"]},"identitySource":"$request.header.Authorization"}}},` +
      `"schemas":{${JSON.stringify(key)}:{"type":"object"}}},` +
      `"servers":[{"url":"https://example.com/{basePath}","variables":{${JSON.stringify(key)}:{"default":"x"},"basePath":{"default":"v1"}}}],` +
      `"x-amazon-apigateway-cors":{${JSON.stringify(key)}:1},"tags":[{"name":${JSON.stringify(key)}}],${JSON.stringify(key)}:${JSON.stringify(value)}}`;
    if (format === 'json') return text;
    // YAML is a superset of JSON; a flow-style document takes the YAML parser's path
    return `# yaml\n${text}`;
  });

/** A raw body: JSON of the input shape, or what is not. */
function bodyFor(spec: OperationSpec): fc.Arbitrary<string | undefined> {
  if (!spec.input || !Object.values(membersOf(spec.input)).some((m) => m.location === undefined)) {
    return fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('{"__proto__":{"polluted":1}}', 'not json', '{}') });
  }
  const structured = structureFor(spec.input, 0).map((v) => JSON.stringify(v));
  const clean = structureFor(spec.input, 0, true).map((v) => JSON.stringify(v));
  const special: fc.Arbitrary<string>[] = [
    fc.constantFrom(
      '{"__proto__":{"polluted":"yes"}}',
      '{"constructor":{"prototype":{"polluted":"yes"}}}',
      '[]',
      'null',
      '"text"',
      '{',
      '{"a":1,"a":2}',
      '\ufeff{}',
      `${'['.repeat(1500)}${']'.repeat(1500)}`,
      `${'{"a":'.repeat(1200)}1${'}'.repeat(1200)}`,
      `{"name":"${'n'.repeat(200_000)}"}`,
    ),
  ];
  if (spec.name === 'ImportApi' || spec.name === 'ReimportApi') {
    special.push(openApiDocument.map((doc) => JSON.stringify({ body: doc })));
    special.push(openApiDocument.map((doc) => `{"body":${JSON.stringify(doc)},"__proto__":{"polluted":1}}`));
  }
  return fc.oneof({ weight: 4, arbitrary: clean }, { weight: 4, arbitrary: structured }, { weight: 2, arbitrary: fc.oneof(...special) });
}

/** What a generated call names in its labels: the fixture the world has for it, or a raw hostile value. */
export type LabelChoice = { readonly fixture: true } | { readonly raw: string };

/** One generated request (replayable: fixtures are resolved when it is sent). */
export interface GeneratedCall {
  readonly operation: string;
  readonly labels: Readonly<Record<string, LabelChoice>>;
  readonly query: readonly (readonly [string, string])[];
  readonly body: string | undefined;
  readonly contentType: string | undefined;
  /** `x-gatehouse-response-format` request header, when set. */
  readonly format: string | undefined;
  /** Whether the API fixtures are the WebSocket API's (else the HTTP API's). */
  readonly websocket: boolean;
  /** Extra request headers, named like inherited properties. */
  readonly headers: readonly (readonly [string, string])[];
}

const labelNames = (spec: OperationSpec) => [...spec.uri.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);

const labelChoice: fc.Arbitrary<LabelChoice> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ fixture: true } as const) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_LABELS).map((raw) => ({ raw })) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }).map((s) => ({ raw: encodeURIComponent(s) })) },
);

function queryFor(spec: OperationSpec): fc.Arbitrary<(readonly [string, string])[]> {
  const names = spec.input ? Object.values(membersOf(spec.input)).filter((m) => m.location === 'query').map((m) => m.wireName as string) : [];
  const value = fc.oneof(fc.constantFrom('1', '0', '-1', '500', 'abc', 'true', 'OAS30', '1.0', ...INHERITED_KEYS), fc.string({ maxLength: 6 }));
  return fc.array(fc.tuple(fc.constantFrom(...names, ...INHERITED_KEYS), value), { maxLength: names.length > 0 ? 3 : 1 });
}

/** A call to one operation of the model. */
export function callFor(spec: OperationSpec): fc.Arbitrary<GeneratedCall> {
  const labels = fc.record(Object.fromEntries(labelNames(spec).map((l) => [l, labelChoice])) as Record<string, fc.Arbitrary<LabelChoice>>);
  return fc.record({
    operation: fc.constant(spec.name),
    labels,
    query: queryFor(spec),
    body: bodyFor(spec),
    contentType: fc.oneof({ weight: 8, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom(undefined, 'text/plain', 'application/x-www-form-urlencoded', '__proto__') }),
    format: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: fc.constantFrom('aws', 'envelope', 'ENVELOPE') }, { weight: 1, arbitrary: fc.constantFrom(...INHERITED_KEYS, 'bogus', '') }),
    websocket: fc.boolean(),
    headers: fc.oneof(
      { weight: 4, arbitrary: fc.constant([]) },
      { weight: 1, arbitrary: fc.array(fc.tuple(fc.constantFrom(...INHERITED_KEYS, 'x-amz-date', 'authorization'), fc.constantFrom('1', '', 'constructor', 'AWS4-HMAC-SHA256 x')), { maxLength: 3 }) },
    ),
  });
}

/** A call to any operation of the model (each equally likely). */
export const anyCall: fc.Arbitrary<GeneratedCall> = fc.oneof(...OPERATIONS.map((spec) => callFor(spec)));

export { labelNames };
