import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shapeOutput } from './output.js';

describe('shapeOutput', () => {
  it('drops unmodelled members of list items and keeps modelled ones', () => {
    const out = shapeOutput('GetRoutesResponse', {
      items: [
        { routeId: 'r1', routeKey: 'GET /pets', createdDate: '2024-01-01T00:00:00Z', apiId: 'abc', seq: 3 },
        { routeId: 'r2', routeKey: '$default', target: 'integrations/i1' },
      ],
      nextToken: 'tok',
      internal: true,
    });
    assert.deepEqual(out, {
      items: [
        { routeId: 'r1', routeKey: 'GET /pets' },
        { routeId: 'r2', routeKey: '$default', target: 'integrations/i1' },
      ],
      nextToken: 'tok',
    });
  });

  it('drops null and undefined members', () => {
    const out = shapeOutput('GetRoutesResponse', { items: [{ routeId: 'r1', routeKey: 'k', target: null, authorizerId: undefined }], nextToken: null });
    assert.deepEqual(out, { items: [{ routeId: 'r1', routeKey: 'k' }] });
  });

  it('projects nested structures recursively', () => {
    const out = shapeOutput('CreateApiResponse', {
      apiId: 'abc',
      name: 'pets',
      protocolType: 'HTTP',
      createdDate: '2024-01-01T00:00:00.000Z',
      corsConfiguration: { allowOrigins: ['*'], maxAge: null, secret: 'x' },
      ownerAccount: '000000000000',
    });
    assert.deepEqual(out, {
      apiId: 'abc',
      name: 'pets',
      protocolType: 'HTTP',
      createdDate: '2024-01-01T00:00:00.000Z',
      corsConfiguration: { allowOrigins: ['*'] },
    });
  });

  it('keeps every entry of maps and lists of scalars', () => {
    const out = shapeOutput('CreateApiResponse', {
      tags: { env: 'prod', 'team:owner': 'pets' },
      warnings: ['w1', 'w2'],
      importInfo: [],
    });
    assert.deepEqual(out, { tags: { env: 'prod', 'team:owner': 'pets' }, warnings: ['w1', 'w2'], importInfo: [] });
  });

  it('projects structures inside maps', () => {
    const out = shapeOutput('GetRouteResult', {
      routeId: 'r1',
      routeKey: 'sendMessage',
      requestParameters: { 'route.request.querystring.q': { required: true, extra: 1 } },
    });
    assert.deepEqual(out, { routeId: 'r1', routeKey: 'sendMessage', requestParameters: { 'route.request.querystring.q': { required: true } } });
  });

  it('keeps falsy scalars that are set', () => {
    const out = shapeOutput('CreateApiResponse', { disableExecuteApiEndpoint: false, description: '', name: 'n' });
    assert.deepEqual(out, { disableExecuteApiEndpoint: false, description: '', name: 'n' });
  });

  it('leaves out members bound outside the JSON body', () => {
    // ExportApiResponse's only member, body, is the HTTP payload (handlers return it as a Buffer instead)
    assert.deepEqual(shapeOutput('ExportApiResponse', { body: 'openapi: 3.0.1' }), {});
  });

  it('renders null or undefined as undefined', () => {
    assert.equal(shapeOutput('GetRoutesResponse', null), undefined);
    assert.equal(shapeOutput('GetRoutesResponse', undefined), undefined);
  });

  it('renders an empty structure for an empty object', () => {
    assert.deepEqual(shapeOutput('GetRoutesResponse', {}), {});
  });
});

describe('shapeOutput regressions', () => {
  it('drops null entries inside lists and maps', () => {
    assert.deepEqual(shapeOutput('CreateApiResponse', { tags: { a: null, b: 'x' }, warnings: [null, 'w'] }), { tags: { b: 'x' }, warnings: ['w'] });
  });
});
