import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BasePathMode } from './import.js';
import { convertDefinition, parseDefinition } from './import.js';

const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:pets';
const lambda = (extra: Record<string, unknown> = {}) => ({ type: 'aws_proxy', httpMethod: 'POST', uri: LAMBDA, payloadFormatVersion: '2.0', ...extra });

const doc = (paths: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ openapi: '3.0.1', info: { title: 't', version: '1' }, paths, ...extra });

/** Asserts that `f` throws a BadRequestException whose message matches. */
function throwsBadRequest(f: () => unknown, message: RegExp): void {
  assert.throws(f, (err: Error) => {
    assert.equal(err.name, 'BadRequestException');
    assert.match(err.message, message);
    return true;
  });
}

describe('parseDefinition', () => {
  it('reads JSON and YAML', () => {
    assert.deepEqual(parseDefinition(' {"openapi":"3.0.1"} '), { openapi: '3.0.1' });
    assert.deepEqual(parseDefinition('openapi: 3.0.1\ninfo:\n  title: x\n'), { openapi: '3.0.1', info: { title: 'x' } });
  });

  it('rejects malformed JSON, malformed YAML, empty bodies and non-objects', () => {
    throwsBadRequest(() => parseDefinition('{"openapi": '), /^Invalid OpenAPI definition: not valid JSON: /);
    throwsBadRequest(() => parseDefinition('openapi: [3.0\n  x: : y'), /^Invalid OpenAPI definition: not valid YAML: /);
    throwsBadRequest(() => parseDefinition('a: 1\na: 2\n'), /not valid YAML: Map keys must be unique/);
    throwsBadRequest(() => parseDefinition('   '), /the body is empty/);
    throwsBadRequest(() => parseDefinition('- a\n- b\n'), /must be a JSON or YAML object/);
  });

  it('refuses documents nested more than 1,000 levels deep, JSON or YAML (the conversion recurses over them)', () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const message = /^Invalid OpenAPI definition: the document is nested more than 1000 levels deep$/;
    throwsBadRequest(() => parseDefinition(`{"openapi":"3.0.1","x":${deep}}`), message);
    throwsBadRequest(() => parseDefinition(`openapi: 3.0.1\nx: ${deep}\n`), message);
    const ok = `{"openapi":"3.0.1","x":${'['.repeat(999)}${']'.repeat(999)}}`;
    assert.equal(parseDefinition(ok).openapi, '3.0.1');
  });
});

describe('convertDefinition', () => {
  it('maps the API members from info, CORS and the endpoint configuration', () => {
    const d = convertDefinition(
      doc({}, {
        info: { title: 'Pets', description: 'd', version: 1 },
        servers: [{ url: 'https://x.example.com', 'x-amazon-apigateway-endpoint-configuration': { disableExecuteApiEndpoint: true } }],
        'x-amazon-apigateway-cors': { allowOrigins: ['*'], maxAge: '60', allowCredentials: 'false' },
      }),
    );
    assert.deepEqual(d.api, {
      name: 'Pets', version: '1.0', description: 'd', disableExecuteApiEndpoint: true,
      corsConfiguration: { allowOrigins: ['*'], maxAge: 60, allowCredentials: false },
    });
    assert.deepEqual(d.warnings, []);
  });

  it('makes a route per operation, ANY from x-amazon-apigateway-any-method and $default from /$default', () => {
    const d = convertDefinition(
      doc({
        '/pets/{id}': { get: { operationId: 'getPet', 'x-amazon-apigateway-integration': lambda() }, parameters: [], summary: 's' },
        '/{proxy+}': { 'x-amazon-apigateway-any-method': { 'x-amazon-apigateway-integration': lambda() } },
        '/$default': { 'x-amazon-apigateway-any-method': { 'x-amazon-apigateway-integration': lambda() } },
        '/fallback': { 'x-amazon-apigateway-any-method': { isDefaultRoute: true } },
        '/': { post: {} },
      }),
    );
    assert.deepEqual(d.routes.map((r) => r.routeKey), ['GET /pets/{id}', 'ANY /{proxy+}', '$default', '$default', 'POST /']);
    assert.deepEqual(d.routes[0], { routeKey: 'GET /pets/{id}', members: { authorizationType: 'NONE', operationName: 'getPet' }, integration: 'GET /pets/{id}' });
    assert.equal(d.routes[4]?.integration, undefined, 'an operation without an integration is a route without a target');
    assert.equal(d.integrations.length, 3);
    assert.deepEqual(d.warnings, []);
  });

  it('converts integration members, with AWS defaults for the payload format version', () => {
    const d = convertDefinition(
      doc({
        '/a': { get: { 'x-amazon-apigateway-integration': { type: 'AWS_PROXY', uri: LAMBDA } } },
        '/b': {
          get: {
            'x-amazon-apigateway-integration': {
              type: 'http_proxy', httpMethod: 'get', uri: 'https://b.example.com', connectionType: 'vpc_link', connectionId: 'abc',
              timeoutInMillis: '5000', credentials: 'arn:aws:iam::1:role/r', tlsConfig: { serverNameToVerify: 'b.example.com', insecureSkipVerification: true },
              requestParameters: { 'append:header.x': 1 }, responseParameters: { 500: { 'overwrite:statuscode': 502 } },
              passthroughBehavior: 'when_no_match', requestTemplates: {},
            },
          },
        },
        '/c': { get: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', integrationSubType: 'SQS-SendMessage', requestParameters: { QueueUrl: 'q' } } } },
      }),
    );
    assert.deepEqual(
      d.integrations.map((i) => i.members),
      [
        { integrationType: 'AWS_PROXY', integrationUri: LAMBDA, payloadFormatVersion: '2.0' },
        {
          integrationType: 'HTTP_PROXY', integrationUri: 'https://b.example.com', integrationMethod: 'GET', payloadFormatVersion: '1.0',
          connectionType: 'VPC_LINK', connectionId: 'abc', credentialsArn: 'arn:aws:iam::1:role/r', timeoutInMillis: 5000,
          requestParameters: { 'append:header.x': '1' }, responseParameters: { 500: { 'overwrite:statuscode': '502' } },
          tlsConfig: { serverNameToVerify: 'b.example.com' },
        },
        { integrationType: 'AWS_PROXY', integrationSubtype: 'SQS-SendMessage', payloadFormatVersion: '1.0', requestParameters: { QueueUrl: 'q' } },
      ],
    );
  });

  it('shares one integration between operations that $ref the same x-amazon-apigateway-integrations entry', () => {
    const ref = { $ref: '#/components/x-amazon-apigateway-integrations/shared' };
    const d = convertDefinition(
      doc(
        { '/a': { get: { 'x-amazon-apigateway-integration': ref } }, '/b': { put: { 'x-amazon-apigateway-integration': ref } } },
        { components: { 'x-amazon-apigateway-integrations': { shared: lambda(), unused: lambda() } } },
      ),
    );
    assert.equal(d.integrations.length, 1);
    assert.equal(d.integrations[0]?.key, ref.$ref);
    assert.deepEqual(d.routes.map((r) => r.integration), [ref.$ref, ref.$ref]);
  });

  it('reads JWT (oauth2 and openIdConnect), Lambda REQUEST and SigV4 security schemes and route security', () => {
    const d = convertDefinition(
      doc(
        {
          '/jwt': { get: { security: [{ jwt: ['read', 'write'] }] } },
          '/oidc': { get: { security: [{ oidc: [] }] } },
          '/lambda': { get: { security: [{ lambda: [] }] } },
          '/iam': { get: { security: [{ sigv4: [] }] } },
          '/open': { get: { security: [] } },
          '/inherited': { get: {} },
        },
        {
          security: [{ lambda: [] }],
          components: {
            securitySchemes: {
              jwt: { type: 'oauth2', 'x-amazon-apigateway-authorizer': { type: 'jwt', identitySource: '$request.header.Authorization', jwtConfiguration: { issuer: 'https://i.example.com', audience: ['a'] } } },
              oidc: {
                type: 'openIdConnect', openIdConnectUrl: 'https://idp.example.com/pool/.well-known/openid-configuration',
                'x-amazon-apigateway-authorizer': { type: 'JWT', identitySource: '$request.header.Authorization', jwtConfiguration: { audience: ['a'] } },
              },
              lambda: {
                type: 'apiKey', name: 'Unused', in: 'header',
                'x-amazon-apigateway-authorizer': {
                  type: 'request', identitySource: '$request.header.Auth, $request.querystring.Name', authorizerUri: LAMBDA, authorizerCredentials: 'arn:aws:iam::1:role/r',
                  authorizerPayloadFormatVersion: 2.0, authorizerResultTtlInSeconds: '300', enableSimpleResponses: 'true',
                },
              },
              sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' },
            },
          },
        },
      ),
    );
    assert.deepEqual(d.authorizers, [
      { name: 'jwt', members: { name: 'jwt', authorizerType: 'JWT', identitySource: ['$request.header.Authorization'], jwtConfiguration: { issuer: 'https://i.example.com', audience: ['a'] } } },
      { name: 'oidc', members: { name: 'oidc', authorizerType: 'JWT', identitySource: ['$request.header.Authorization'], jwtConfiguration: { issuer: 'https://idp.example.com/pool', audience: ['a'] } } },
      {
        name: 'lambda',
        members: {
          name: 'lambda', authorizerType: 'REQUEST', identitySource: ['$request.header.Auth', '$request.querystring.Name'], authorizerUri: LAMBDA,
          authorizerCredentialsArn: 'arn:aws:iam::1:role/r', authorizerPayloadFormatVersion: '2.0', authorizerResultTtlInSeconds: 300, enableSimpleResponses: true,
        },
      },
    ]);
    assert.deepEqual(
      d.routes.map((r) => [r.routeKey, r.members.authorizationType, r.authorizer, r.members.authorizationScopes]),
      [
        ['GET /jwt', 'JWT', 'jwt', ['read', 'write']],
        ['GET /oidc', 'JWT', 'oidc', undefined],
        ['GET /lambda', 'CUSTOM', 'lambda', undefined],
        ['GET /iam', 'AWS_IAM', undefined, undefined],
        ['GET /open', 'NONE', undefined, undefined],
        ['GET /inherited', 'CUSTOM', 'lambda', undefined],
      ],
    );
  });

  it('warns about what HTTP APIs do not support, and imports the rest', () => {
    const d = convertDefinition(
      doc(
        {
          '/rest': { get: { 'x-amazon-apigateway-integration': { type: 'aws', uri: LAMBDA }, 'x-amazon-apigateway-request-validator': 'all' } },
          '/basic': { get: { security: [{ basic: [] }] }, trace: {} },
          '/two': { get: { security: [{ cognito: [] }, {}] } },
          '/$default': { get: {} },
        },
        {
          'x-amazon-apigateway-binary-media-types': ['*/*'],
          'x-amazon-apigateway-route-selection-expression': '$request.body.action',
          components: {
            securitySchemes: {
              basic: { type: 'http', scheme: 'basic' },
              cognito: { type: 'apiKey', 'x-amazon-apigateway-authorizer': { type: 'cognito_user_pools', providerARNs: [] } },
            },
          },
        },
      ),
    );
    assert.deepEqual(d.routes.map((r) => [r.routeKey, r.members.authorizationType, r.integration]), [
      ['GET /rest', 'NONE', undefined],
      ['GET /basic', 'NONE', undefined],
      ['GET /two', 'NONE', undefined],
    ]);
    assert.deepEqual(d.warnings, [
      'x-amazon-apigateway-route-selection-expression $request.body.action was ignored: only HTTP APIs can be imported, and they route by $request.method $request.path',
      'x-amazon-apigateway-binary-media-types was ignored: it is supported only for REST APIs',
      'x-amazon-apigateway-request-validator on route GET /rest was ignored: it is not supported for HTTP APIs',
      'Integration of route GET /rest was ignored: integration type AWS is not supported for HTTP APIs (use aws_proxy or http_proxy); the route has no integration',
      'TRACE /basic was ignored: HTTP APIs have no TRACE routes',
      'Route GET /two lists several security requirements; HTTP API routes have one authorizer, so only cognito was used',
      'GET /$default was ignored: the $default route is defined with x-amazon-apigateway-any-method on /$default',
      'Security scheme basic was ignored (a http scheme without x-amazon-apigateway-authorizer is not an API Gateway authorizer); these routes were imported without authorization: GET /basic',
      'Security scheme cognito was ignored (authorizer type cognito_user_pools is not supported for HTTP APIs (use jwt or request)); these routes were imported without authorization: GET /two',
    ]);
  });

  for (const [mode, keys] of [
    ['ignore', ['GET /', 'GET /items']],
    ['prepend', ['GET /v1/inventory', 'GET /v1/inventory/items']],
    ['split', ['GET /inventory', 'GET /inventory/items']],
  ] as [BasePathMode, string[]][]) {
    it(`applies the base path with basepath=${mode} (server variable, server URL path, Swagger basePath)`, () => {
      const paths = { '/': { get: {} }, '/items': { get: {} } };
      const variable = doc(paths, { servers: [{ url: 'https://x.example.com/{basePath}', variables: { basePath: { default: '/v1/inventory/' } } }] });
      const urlPath = doc(paths, { servers: [{ url: 'https://x.example.com/{version}/inventory', variables: { version: { default: 'v1' } } }] });
      const swagger = { swagger: '2.0', info: { title: 't', version: '1' }, basePath: '/v1/inventory', paths };
      for (const d of [variable, urlPath, swagger]) assert.deepEqual(convertDefinition(d, mode).routes.map((r) => r.routeKey), keys);
    });
  }

  it('leaves $default and single-segment base paths alone under split', () => {
    const d = convertDefinition(doc({ '/$default': { 'x-amazon-apigateway-any-method': {} }, '/a': { get: {} } }, { servers: [{ url: '/stage' }] }), 'split');
    assert.deepEqual(d.routes.map((r) => r.routeKey), ['$default', 'GET /a']);
    assert.deepEqual(convertDefinition(doc({ '/a': { get: {} } }, { servers: [{ url: '/stage' }] }), 'prepend').routes.map((r) => r.routeKey), ['GET /stage/a']);
  });

  it('rejects malformed definitions with the reason', () => {
    throwsBadRequest(() => convertDefinition({ info: { title: 't' }, paths: {} }), /declares neither openapi \(3\.0\.x\) nor swagger \(2\.0\)/);
    throwsBadRequest(() => convertDefinition({ openapi: '4.0', info: { title: 't' }, paths: {} }), /unsupported version 4\.0/);
    throwsBadRequest(() => convertDefinition({ openapi: '3.0.1', paths: {} }), /info is required/);
    throwsBadRequest(() => convertDefinition({ openapi: '3.0.1', info: { version: '1' }, paths: {} }), /info\.title is required/);
    throwsBadRequest(() => convertDefinition({ openapi: '3.0.1', info: { title: 't' } }), /paths must be an object/);
    throwsBadRequest(() => convertDefinition(doc({}, { 'x-amazon-apigateway-importexport-version': '2.0' })), /unsupported x-amazon-apigateway-importexport-version 2\.0/);
    throwsBadRequest(() => convertDefinition(doc({ '/a': { get: { security: [{ nope: [] }] } } })), /route GET \/a requires security scheme nope, which is not defined/);
    throwsBadRequest(
      () => convertDefinition(doc({ '/a': { get: { 'x-amazon-apigateway-integration': { $ref: 'other.json#/x' } } } })),
      /\$ref other\.json#\/x is not a local reference/,
    );
    throwsBadRequest(() => convertDefinition(doc({ '/a': { get: 'x' } })), /the get operation of \/a must be an object/);
  });

  // terraform-provider-aws api_test.go OpenAPI_failOnWarnings: AWS imports a definition whose $ref
  // names a missing schema, with a warning (and refuses it under failOnWarnings).
  it('reports a $ref that does not resolve as a warning, and imports the rest', () => {
    const d = convertDefinition(
      doc({
        '/a': {
          get: {
            'x-amazon-apigateway-integration': { $ref: '#/components/missing' },
            responses: { 200: { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Nope' } } } } },
          },
        },
      }),
    );
    assert.deepEqual(d.routes.map((r) => [r.routeKey, r.integration]), [['GET /a', undefined]]);
    assert.deepEqual(d.warnings, [
      'Parse issue: attribute paths./a.get.x-amazon-apigateway-integration.$ref is missing: #/components/missing does not resolve',
      'Parse issue: attribute paths./a.get.responses.200.content.application/json.schema.$ref is missing: #/components/schemas/Nope does not resolve',
    ]);
  });
});
