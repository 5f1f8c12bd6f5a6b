import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OperationSpec } from '../model/service-model.js';
import { OPERATIONS } from '../model/service-model.js';
import { BadRequestException } from './errors.js';
import { bindInput, MAX_BODY_NESTING, parseJsonBody } from './input.js';

const op = (name: string): OperationSpec => {
  const spec = OPERATIONS.find((o) => o.name === name);
  assert.ok(spec, `no operation ${name}`);
  return spec;
};

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const NO_QUERY = new URLSearchParams();
const EMPTY = Buffer.alloc(0);

const bind = (name: string, body: unknown, labels: Record<string, string> = { ApiId: 'abc' }, query = NO_QUERY) =>
  bindInput(op(name), labels, query, body === undefined ? EMPTY : json(body));

const rejects = (fn: () => unknown, message: string | RegExp) =>
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof BadRequestException, `expected BadRequestException, got ${String(err)}`);
    assert.equal(err.status, 400);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });

const one = (text: string) => `1 validation error detected: ${text}`;

describe('bindInput: binding', () => {
  it('binds labels by wire name into member names, with the JSON body', () => {
    const input = bind('CreateRoute', { routeKey: 'GET /pets', target: 'integrations/i1' });
    assert.deepEqual(input, { apiId: 'abc', routeKey: 'GET /pets', target: 'integrations/i1' });
  });

  it('binds labels of nested resources', () => {
    const input = bind('UpdateIntegration', { timeoutInMillis: 5000 }, { ApiId: 'abc', IntegrationId: 'i1' });
    assert.deepEqual(input, { apiId: 'abc', integrationId: 'i1', timeoutInMillis: 5000 });
  });

  it('ignores unknown body members', () => {
    const input = bind('CreateRoute', { routeKey: '$default', bogus: 1, RouteKey: 'x', apiId: 'other' });
    assert.deepEqual(input, { apiId: 'abc', routeKey: '$default' });
  });

  it('lets the label win over an apiId in the body', () => {
    assert.equal(bind('CreateRoute', { routeKey: '$default', apiId: 'evil' }).apiId, 'abc');
  });

  it('treats an explicit null as absent, at the top and nested', () => {
    const input = bind('CreateApi', { name: 'pets', protocolType: 'HTTP', description: null, corsConfiguration: { maxAge: null, allowCredentials: true } });
    assert.deepEqual(input, { name: 'pets', protocolType: 'HTTP', corsConfiguration: { allowCredentials: true } });
    assert.equal('description' in input, false);
  });

  it('reports a required member given as null as missing', () => {
    rejects(() => bind('CreateRoute', { routeKey: null }), 'Route key is required');
  });

  it('binds query parameters, keeping maxResults (a string in the model) a string', () => {
    const input = bind('GetRoutes', undefined, { ApiId: 'abc' }, new URLSearchParams('maxResults=10&nextToken=t1&other=x'));
    assert.deepEqual(input, { apiId: 'abc', maxResults: '10', nextToken: 't1' });
  });

  it('converts integer query parameters and reports non-integers', () => {
    const spec = op('ListRoutingRules');
    assert.deepEqual(bindInput(spec, { DomainName: 'example.com' }, new URLSearchParams('maxResults=5'), EMPTY), {
      domainName: 'example.com',
      maxResults: 5,
    });
    rejects(
      () => bindInput(spec, { DomainName: 'example.com' }, new URLSearchParams('maxResults=five'), EMPTY),
      one("Value 'five' at 'maxResults' failed to satisfy constraint: Member must be an integer"),
    );
    rejects(
      () => bindInput(spec, { DomainName: 'example.com' }, new URLSearchParams('maxResults=500'), EMPTY),
      one("Value '500' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100"),
    );
  });

  it('binds a repeated query parameter of a list member as a list', () => {
    const input = bindInput(op('UntagResource'), { ResourceArn: 'arn:aws:apigateway:us-east-1::/apis/abc' }, new URLSearchParams('tagKeys=a&tagKeys=b'), EMPTY);
    assert.deepEqual(input, { resourceArn: 'arn:aws:apigateway:us-east-1::/apis/abc', tagKeys: ['a', 'b'] });
    const single = bindInput(op('UntagResource'), { ResourceArn: 'r' }, new URLSearchParams('tagKeys=a'), EMPTY);
    assert.deepEqual(single.tagKeys, ['a']);
  });

  it('requires a required query member', () => {
    rejects(
      () => bindInput(op('UntagResource'), { ResourceArn: 'r' }, NO_QUERY, EMPTY),
      one("Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"),
    );
  });

  it('does not parse the body of an operation without body members', () => {
    const input = bindInput(op('GetRoutes'), { ApiId: 'abc' }, NO_QUERY, Buffer.from('{not json'));
    assert.deepEqual(input, { apiId: 'abc' });
  });

  it('reads an empty body as an empty object', () => {
    assert.deepEqual(bind('GetApis', undefined, {}), {});
    assert.deepEqual(parseJsonBody(EMPTY), {});
  });
});

describe('bindInput: required members', () => {
  it("uses AWS's own message for a missing routeKey", () => {
    rejects(() => bind('CreateRoute', {}), 'Route key is required');
    rejects(() => bind('CreateRoute', { target: 'integrations/i1' }), 'Route key is required');
  });

  it('uses the generic message for a missing routeKey together with another violation', () => {
    rejects(
      () => bind('CreateRoute', { target: '' }),
      "2 validation errors detected: Value null at 'routeKey' failed to satisfy constraint: Member must not be null; " +
        "Value '' at 'target' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it('uses the generic message for a missing name', () => {
    rejects(() => bind('CreateApi', { protocolType: 'HTTP' }, {}), one("Value null at 'name' failed to satisfy constraint: Member must not be null"));
  });

  it('counts several missing members', () => {
    rejects(
      () => bind('CreateApi', undefined, {}),
      "2 validation errors detected: Value null at 'name' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'protocolType' failed to satisfy constraint: Member must not be null",
    );
  });

  it('reports a missing label', () => {
    rejects(() => bind('CreateRoute', { routeKey: '$default' }, {}), one("Value null at 'apiId' failed to satisfy constraint: Member must not be null"));
  });
});

describe('bindInput: types, enums, ranges and lengths', () => {
  const api = (extra: Record<string, unknown>) => bind('CreateApi', { name: 'pets', protocolType: 'HTTP', ...extra }, {});

  it('rejects wrong types with the member path', () => {
    rejects(() => api({ name: 5 }), one("Value '5' at 'name' failed to satisfy constraint: Member must be a string"));
    rejects(() => api({ disableExecuteApiEndpoint: 'true' }), one("Value 'true' at 'disableExecuteApiEndpoint' failed to satisfy constraint: Member must be a boolean"));
    rejects(() => api({ tags: ['a'] }), one(`Value '["a"]' at 'tags' failed to satisfy constraint: Member must be a map`));
    rejects(() => api({ corsConfiguration: 'yes' }), one("Value 'yes' at 'corsConfiguration' failed to satisfy constraint: Member must be a structure"));
    rejects(() => api({ corsConfiguration: { allowOrigins: '*' } }), one("Value '*' at 'corsConfiguration.allowOrigins' failed to satisfy constraint: Member must be a list"));
  });

  it('rejects non-integers and non-numbers for integer members', () => {
    const integration = (timeoutInMillis: unknown) => bind('CreateIntegration', { integrationType: 'MOCK', timeoutInMillis });
    rejects(() => integration('100'), one("Value '100' at 'timeoutInMillis' failed to satisfy constraint: Member must be an integer"));
    rejects(() => integration(100.5), one("Value '100.5' at 'timeoutInMillis' failed to satisfy constraint: Member must be an integer"));
    assert.equal(integration(100).timeoutInMillis, 100);
  });

  it('rejects a value outside the enum, listing the values', () => {
    rejects(() => api({ protocolType: 'GRPC' }), one("Value 'GRPC' at 'protocolType' failed to satisfy constraint: Member must satisfy enum value set: [WEBSOCKET, HTTP]"));
    rejects(() => api({ protocolType: 'http' }), one("Value 'http' at 'protocolType' failed to satisfy constraint: Member must satisfy enum value set: [WEBSOCKET, HTTP]"));
  });

  it('checks numeric ranges at both ends', () => {
    const integration = (timeoutInMillis: number) => bind('CreateIntegration', { integrationType: 'MOCK', timeoutInMillis });
    rejects(() => integration(10), one("Value '10' at 'timeoutInMillis' failed to satisfy constraint: Member must have value greater than or equal to 50"));
    rejects(() => integration(30001), one("Value '30001' at 'timeoutInMillis' failed to satisfy constraint: Member must have value less than or equal to 30000"));
    assert.equal(integration(50).timeoutInMillis, 50);
    assert.equal(integration(30000).timeoutInMillis, 30000);
  });

  it('checks string lengths carried by shape names', () => {
    const long = 'n'.repeat(129);
    rejects(
      () => api({ name: long }),
      one(`Value '${'n'.repeat(100)}...' at 'name' failed to satisfy constraint: Member must have length less than or equal to 128`),
    );
    assert.equal(api({ name: 'n'.repeat(128) }).name, 'n'.repeat(128));
    rejects(() => api({ name: '' }), one("Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"));
    assert.equal(api({ description: '' }).description, '');
  });

  it('names nested members by their path', () => {
    rejects(
      () => api({ corsConfiguration: { maxAge: 90000 } }),
      one("Value '90000' at 'corsConfiguration.maxAge' failed to satisfy constraint: Member must have value less than or equal to 86400"),
    );
    rejects(
      () => api({ corsConfiguration: { maxAge: -2 } }),
      one("Value '-2' at 'corsConfiguration.maxAge' failed to satisfy constraint: Member must have value greater than or equal to -1"),
    );
    assert.deepEqual(api({ corsConfiguration: { maxAge: -1 } }).corsConfiguration, { maxAge: -1 });
  });

  it('names list members by their 1-based index', () => {
    rejects(
      () => api({ corsConfiguration: { allowHeaders: ['x-ok', 7] } }),
      one("Value '7' at 'corsConfiguration.allowHeaders.2.member' failed to satisfy constraint: Member must be a string"),
    );
    rejects(
      () => api({ corsConfiguration: { allowMethods: ['GET', ''] } }),
      one("Value '' at 'corsConfiguration.allowMethods.2.member' failed to satisfy constraint: Member must have length greater than or equal to 1"),
    );
  });

  it('names map values by their key', () => {
    rejects(() => api({ tags: { env: '' } }), one("Value '' at 'tags.env.value' failed to satisfy constraint: Member must have length greater than or equal to 1"));
    rejects(() => api({ tags: { env: 3 } }), one("Value '3' at 'tags.env.value' failed to satisfy constraint: Member must be a string"));
  });

  it('counts every violation in member order', () => {
    rejects(
      () => api({ name: 1, corsConfiguration: { maxAge: 'x' }, version: '' }),
      "3 validation errors detected: Value 'x' at 'corsConfiguration.maxAge' failed to satisfy constraint: Member must be an integer; " +
        "Value '1' at 'name' failed to satisfy constraint: Member must be a string; " +
        "Value '' at 'version' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it('accepts a valid input unchanged', () => {
    const body = {
      name: 'pets',
      protocolType: 'HTTP',
      corsConfiguration: { allowOrigins: ['*'], allowMethods: ['GET'], maxAge: 300, allowCredentials: false },
      tags: { env: 'prod' },
      disableExecuteApiEndpoint: true,
    };
    assert.deepEqual(bind('CreateApi', body, {}), body);
  });
});

describe('bindInput: empty parameter mapping values', () => {
  it('accepts an empty string in UpdateIntegration requestParameters and responseParameters values', () => {
    const input = bind(
      'UpdateIntegration',
      { requestParameters: { 'overwrite:header.x': '' }, responseParameters: { '200': { 'overwrite:header.y': '' } } },
      { ApiId: 'abc', IntegrationId: 'i1' },
    );
    assert.deepEqual(input.requestParameters, { 'overwrite:header.x': '' });
    assert.deepEqual(input.responseParameters, { '200': { 'overwrite:header.y': '' } });
  });

  it('accepts "" for the optional members an Update clears (terraform sends "" for removed attributes), and only there', () => {
    assert.equal(bind('UpdateIntegration', { integrationMethod: '' }, { ApiId: 'abc', IntegrationId: 'i1' }).integrationMethod, '');
    assert.equal(bind('UpdateRoute', { target: '', operationName: '' }, { ApiId: 'abc', RouteId: 'r1' }).target, '');
    rejects(
      () => bind('CreateIntegration', { integrationType: 'HTTP_PROXY', integrationMethod: '' }, { ApiId: 'abc' }),
      one("Value '' at 'integrationMethod' failed to satisfy constraint: Member must have length greater than or equal to 1"),
    );
    rejects(
      () => bind('UpdateAuthorizer', { name: '' }, { ApiId: 'abc', AuthorizerId: 'a1' }),
      one("Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"),
    );
  });

  it('still checks the maximum length in UpdateIntegration requestParameters', () => {
    rejects(
      () => bind('UpdateIntegration', { requestParameters: { 'overwrite:header.x': 'v'.repeat(513) } }, { ApiId: 'abc', IntegrationId: 'i1' }),
      one(`Value '${'v'.repeat(100)}...' at 'requestParameters.overwrite:header.x.value' failed to satisfy constraint: Member must have length less than or equal to 512`),
    );
  });

  it('rejects an empty string in CreateIntegration requestParameters and responseParameters', () => {
    rejects(
      () => bind('CreateIntegration', { integrationType: 'HTTP_PROXY', requestParameters: { 'overwrite:header.x': '' } }),
      one("Value '' at 'requestParameters.overwrite:header.x.value' failed to satisfy constraint: Member must have length greater than or equal to 1"),
    );
    rejects(
      () => bind('CreateIntegration', { integrationType: 'HTTP_PROXY', responseParameters: { '200': { 'overwrite:header.y': '' } } }),
      one("Value '' at 'responseParameters.200.value.overwrite:header.y.value' failed to satisfy constraint: Member must have length greater than or equal to 1"),
    );
  });
});

describe('parseJsonBody', () => {
  it('parses a JSON object', () => {
    assert.deepEqual(parseJsonBody(Buffer.from('{"a":1,"b":[true]}')), { a: 1, b: [true] });
  });

  it('rejects malformed JSON with the parser message', () => {
    const PARSE_ERROR = /^Could not parse request body into json: (?!the body must be a JSON object)\S/;
    rejects(() => parseJsonBody(Buffer.from('{"a":')), PARSE_ERROR);
    rejects(() => bindInput(op('CreateApi'), {}, NO_QUERY, Buffer.from('{"name": "x"')), PARSE_ERROR);
    assert.throws(() => bindInput(op('CreateApi'), {}, NO_QUERY, Buffer.from('{name:')), /^BadRequestException: Could not parse request body into json: /);
  });

  it('rejects a body nested more than MAX_BODY_NESTING levels before parsing it (deeper bodies overflowed later recursion)', () => {
    const TOO_DEEP = `Could not parse request body into json: Document nesting depth exceeds the maximum allowed (${MAX_BODY_NESTING})`;
    const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    rejects(() => parseJsonBody(Buffer.from(`{"a":${nested(5000)}}`)), TOO_DEEP);
    rejects(() => parseJsonBody(Buffer.from(`{"a":${nested(MAX_BODY_NESTING)}}`)), TOO_DEEP);
    assert.equal((parseJsonBody(Buffer.from(`{"a":${nested(MAX_BODY_NESTING - 1)}}`)).a as unknown[]).length, 1);
    // even a body that is not JSON: depth is checked first
    rejects(() => parseJsonBody(Buffer.from(`{"a":${'['.repeat(5000)}`)), TOO_DEEP);
    // brackets in strings are not nesting
    assert.deepEqual(parseJsonBody(Buffer.from(`{"a":"${'['.repeat(5000)}"}`)), { a: '['.repeat(5000) });
    assert.throws(() => bindInput(op('CreateApi'), {}, NO_QUERY, Buffer.from(`{"name":"x","tags":{"a":${nested(5000)}}}`)), { name: 'BadRequestException', message: TOO_DEEP });
  });

  for (const body of ['[1,2]', 'null', '"text"', '42', 'true']) {
    it(`rejects the non-object body ${body}`, () => {
      rejects(() => parseJsonBody(Buffer.from(body)), 'Could not parse request body into json: the body must be a JSON object');
    });
  }
});
