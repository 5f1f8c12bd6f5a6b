import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { ApiRecord, AuthorizerRecord, IntegrationRecord, RouteRecord } from '../../model/resources.js';
import type { ApiConfiguration } from './export.js';
import { exportDefinition, serializeDefinition } from './export.js';
import { convertDefinition } from './import.js';

const NOW = '2024-05-12T22:50:17Z';
const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:pets';
const AUTHORIZER_URI = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${LAMBDA}/invocations`;
const ENDPOINT = 'http://abc1234567.execute-api.localhost:4580';

const api: ApiRecord = {
  apiId: 'abc1234567', name: 'pets', protocolType: 'HTTP', routeSelectionExpression: '$request.method $request.path',
  apiKeySelectionExpression: '$request.header.x-api-key', createdDate: NOW, disableExecuteApiEndpoint: false, ipAddressType: 'ipv4', tags: {},
  corsConfiguration: { allowOrigins: ['https://a.example.com'], maxAge: 60 },
};
const integrations: IntegrationRecord[] = [
  { integrationId: 'lambda1', integrationType: 'AWS_PROXY', integrationUri: LAMBDA, integrationMethod: 'POST', payloadFormatVersion: '2.0', timeoutInMillis: 30000, connectionType: 'INTERNET', createdDate: NOW },
  {
    integrationId: 'http001', integrationType: 'HTTP_PROXY', integrationUri: 'https://b.example.com/{id}', integrationMethod: 'GET', payloadFormatVersion: '1.0',
    timeoutInMillis: 12000, connectionType: 'INTERNET', requestParameters: { 'append:header.x': 'y' }, responseParameters: { 404: { 'overwrite:statuscode': '410' } }, createdDate: NOW,
  },
];
const authorizers: AuthorizerRecord[] = [
  { authorizerId: 'jwt0001', name: 'jwt', authorizerType: 'JWT', identitySource: ['$request.header.Authorization'], jwtConfiguration: { issuer: 'https://i.example.com', audience: ['a', 'b'] }, createdDate: NOW },
  {
    authorizerId: 'req0001', name: 'lambda', authorizerType: 'REQUEST', identitySource: ['$request.querystring.token'], authorizerUri: AUTHORIZER_URI,
    authorizerPayloadFormatVersion: '2.0', authorizerResultTtlInSeconds: 300, enableSimpleResponses: true, createdDate: NOW,
  },
];
const route = (routeKey: string, extra: Partial<RouteRecord> = {}): RouteRecord => ({ routeId: `r${routeKey.length}`, routeKey, authorizationType: 'NONE', apiKeyRequired: false, createdDate: NOW, ...extra });
const routes: RouteRecord[] = [
  route('GET /pets/{id}', { target: 'integrations/lambda1', authorizationType: 'JWT', authorizerId: 'jwt0001', authorizationScopes: ['pets/read'], operationName: 'getPet' }),
  route('DELETE /pets/{id}', { target: 'integrations/lambda1', authorizationType: 'CUSTOM', authorizerId: 'req0001' }),
  route('GET /b/{id}', { target: 'integrations/http001', authorizationType: 'AWS_IAM' }),
  route('ANY /{proxy+}'),
  route('$default', { target: 'integrations/http001' }),
];
const config: ApiConfiguration = { api, routes, integrations, authorizers };

/** Every key anywhere in a JSON value. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)]);
}

describe('exportDefinition', () => {
  const doc = exportDefinition(config, { endpoint: ENDPOINT, includeExtensions: true });

  it('writes the AWS document header: info (version defaults to the creation time), servers, CORS, import/export version', () => {
    assert.equal(doc.openapi, '3.0.1');
    assert.deepEqual(doc.info, { title: 'pets', version: '2024-05-12 22:50:17UTC' });
    assert.deepEqual(doc.servers, [{ url: `${ENDPOINT}/{basePath}`, variables: { basePath: { default: '' } } }]);
    assert.deepEqual(doc['x-amazon-apigateway-cors'], api.corsConfiguration);
    assert.equal(doc['x-amazon-apigateway-importexport-version'], '1.0');
  });

  it('writes one path item per route path, with operations, generated path parameters and the $default route', () => {
    const paths = doc.paths as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(paths), ['/$default', '/b/{id}', '/pets/{id}', '/{proxy+}']);
    assert.deepEqual(Object.keys(paths['/pets/{id}'] ?? {}), ['get', 'delete', 'parameters']);
    assert.deepEqual((paths['/{proxy+}']?.parameters as { name: string }[]).map((p) => p.name), ['proxy+']);
    assert.deepEqual(paths['/pets/{id}']?.get, {
      operationId: 'getPet',
      responses: { default: { description: 'Default response for GET /pets/{id}' } },
      security: [{ jwt: ['pets/read'] }],
      'x-amazon-apigateway-integration': { $ref: '#/components/x-amazon-apigateway-integrations/integration2' },
    });
    assert.deepEqual(paths['/pets/{id}']?.delete, {
      responses: { default: { description: 'Default response for DELETE /pets/{id}' } },
      security: [{ lambda: [] }],
      'x-amazon-apigateway-integration': { $ref: '#/components/x-amazon-apigateway-integrations/integration2' },
    });
    const defaultRoute = paths['/$default']?.['x-amazon-apigateway-any-method'] as Record<string, unknown>;
    assert.equal(defaultRoute.isDefaultRoute, true);
    assert.equal(paths['/{proxy+}']?.['x-amazon-apigateway-any-method'] !== undefined, true);
  });

  it('writes integrations as AWS does (lower-case type, default timeout left out) and shares the reused ones', () => {
    const components = doc.components as Record<string, Record<string, unknown>>;
    assert.deepEqual(components['x-amazon-apigateway-integrations'], {
      integration2: { payloadFormatVersion: '2.0', type: 'aws_proxy', httpMethod: 'POST', uri: LAMBDA, connectionType: 'INTERNET' },
      integration1: {
        requestParameters: { 'append:header.x': 'y' }, responseParameters: { 404: { 'overwrite:statuscode': '410' } }, payloadFormatVersion: '1.0',
        type: 'http_proxy', httpMethod: 'GET', uri: 'https://b.example.com/{id}', connectionType: 'INTERNET', timeoutInMillis: 12000,
      },
    });
  });

  it('writes authorizers as security schemes, and SigV4 routes with the awsSigv4 scheme', () => {
    const schemes = (doc.components as Record<string, unknown>).securitySchemes;
    assert.deepEqual(schemes, {
      jwt: {
        type: 'oauth2', flows: {},
        'x-amazon-apigateway-authorizer': { identitySource: '$request.header.Authorization', jwtConfiguration: { audience: ['a', 'b'], issuer: 'https://i.example.com' }, type: 'jwt' },
      },
      lambda: {
        type: 'apiKey', name: 'token', in: 'query',
        'x-amazon-apigateway-authorizer': {
          identitySource: '$request.querystring.token', authorizerUri: AUTHORIZER_URI, authorizerPayloadFormatVersion: '2.0',
          authorizerResultTtlInSeconds: 300, type: 'request', enableSimpleResponses: true,
        },
      },
      sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' },
    });
    assert.deepEqual(((doc.paths as Record<string, Record<string, Record<string, unknown>>>)['/b/{id}']?.get)?.security, [{ sigv4: [] }]);
  });

  it('inlines an integration used by one route', () => {
    const one = exportDefinition({ ...config, routes: [routes[2] as RouteRecord] }, { endpoint: ENDPOINT, includeExtensions: true });
    const op = (one.paths as Record<string, Record<string, Record<string, unknown>>>)['/b/{id}']?.get;
    assert.equal((op?.['x-amazon-apigateway-integration'] as Record<string, unknown>).type, 'http_proxy');
    assert.equal((one.components as Record<string, unknown>)['x-amazon-apigateway-integrations'], undefined);
  });

  it('leaves every x-amazon-apigateway extension out without includeExtensions, except the ANY operations', () => {
    const plain = exportDefinition(config, { endpoint: ENDPOINT, includeExtensions: false });
    assert.deepEqual([...new Set(keysOf(plain).filter((k) => k.startsWith('x-amazon-apigateway-')))], ['x-amazon-apigateway-any-method']);
  });

  it('names the stage in the basePath server variable and writes the endpoint configuration', () => {
    const staged = exportDefinition(
      { ...config, api: { ...api, disableExecuteApiEndpoint: true, version: '7' } },
      { endpoint: ENDPOINT, stageName: 'prod', includeExtensions: true },
    );
    assert.deepEqual(staged.servers, [
      { url: `${ENDPOINT}/{basePath}`, variables: { basePath: { default: 'prod' } }, 'x-amazon-apigateway-endpoint-configuration': { disableExecuteApiEndpoint: true } },
    ]);
    assert.deepEqual(staged.info, { title: 'pets', version: '7' });
    const $default = exportDefinition(config, { endpoint: ENDPOINT, stageName: '$default', includeExtensions: true });
    assert.deepEqual($default.servers, [{ url: `${ENDPOINT}/{basePath}`, variables: { basePath: { default: '' } } }]);
  });

  it('round-trips through the importer', () => {
    const back = convertDefinition(doc);
    assert.deepEqual(back.warnings, []);
    assert.deepEqual(back.routes.map((r) => [r.routeKey, r.members, r.authorizer]), [
      ['$default', { authorizationType: 'NONE' }, undefined],
      ['GET /b/{id}', { authorizationType: 'AWS_IAM' }, undefined],
      ['GET /pets/{id}', { authorizationType: 'JWT', authorizationScopes: ['pets/read'], operationName: 'getPet' }, 'jwt'],
      ['DELETE /pets/{id}', { authorizationType: 'CUSTOM' }, 'lambda'],
      ['ANY /{proxy+}', { authorizationType: 'NONE' }, undefined],
    ]);
    assert.equal(back.integrations.length, 2);
    assert.deepEqual(back.api, { name: 'pets', version: '2024-05-12 22:50:17UTC', corsConfiguration: api.corsConfiguration });
  });

  it('serializes as JSON and as YAML that parses to the same document', () => {
    const json = serializeDefinition(doc, 'JSON');
    const yaml = serializeDefinition(doc, 'YAML');
    assert.deepEqual(JSON.parse(json), doc);
    assert.deepEqual(parseYaml(yaml), doc);
    assert.match(yaml, /payloadFormatVersion: "2\.0"/);
  });
});
