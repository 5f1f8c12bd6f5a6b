import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import type { ApiRecord, DeploymentSnapshot, RouteRecord, StageRecord } from '../model/resources.js';
import { compileContextVariable, contextVariable, formatRequestTime, isContextVariable } from './context-variables.js';
import type { GatewayRequest, Invocation } from './invocation.js';

function invocation(over: Partial<Invocation> = {}, request: Partial<GatewayRequest> = {}): Invocation {
  return {
    requestId: 'Mc7UVioPPHcEKPA=',
    requestTimeEpoch: Date.UTC(2020, 2, 12, 19, 3, 58, 123),
    request: {
      method: 'GET',
      path: '/prod/pets/1',
      rawQueryString: '',
      headers: { 'user-agent': 'curl/8.0' },
      rawHeaders: ['User-Agent', 'curl/8.0'],
      sourceIp: '203.0.113.7',
      protocol: 'HTTP/1.1',
      domainName: 'abc123.execute-api.localhost',
      domainPrefix: 'abc123',
      ...request,
    },
    incoming: {} as IncomingMessage,
    stage: {
      apiId: 'abc123',
      accountId: '000000000000',
      region: 'us-east-1',
      stageName: 'prod',
      deploymentId: 'dep1',
      api: {} as ApiRecord,
      stageVariables: {},
      cors: undefined,
      accessLog: undefined,
      snapshot: {} as DeploymentSnapshot, stageRecord: {} as StageRecord, match: () => undefined,
    },
    route: { route: {} as RouteRecord, routeKey: 'GET /pets/{id}', integration: undefined, authorizer: undefined, throttle: undefined },
    routePath: '/pets/1',
    ...over,
  };
}

describe('contextVariable', () => {
  it('request and stage variables', () => {
    const inv = invocation();
    const expected: Record<string, string> = {
      requestId: 'Mc7UVioPPHcEKPA=',
      extendedRequestId: 'Mc7UVioPPHcEKPA=',
      apiId: 'abc123',
      stage: 'prod',
      routeKey: 'GET /pets/{id}',
      httpMethod: 'GET',
      path: '/prod/pets/1',
      protocol: 'HTTP/1.1',
      domainName: 'abc123.execute-api.localhost',
      domainPrefix: 'abc123',
      accountId: '000000000000',
      requestTime: '12/Mar/2020:19:03:58 +0000',
      requestTimeEpoch: String(Date.UTC(2020, 2, 12, 19, 3, 58, 123)),
      'identity.sourceIp': '203.0.113.7',
      'identity.userAgent': 'curl/8.0',
    };
    for (const [name, value] of Object.entries(expected)) assert.equal(contextVariable(inv, name), value, name);
  });

  it('requestTime pads single digits and uses UTC', () => {
    assert.equal(formatRequestTime(Date.UTC(2021, 0, 5, 4, 3, 2)), '05/Jan/2021:04:03:02 +0000');
    assert.equal(formatRequestTime(Date.UTC(2021, 11, 31, 23, 59, 59, 999)), '31/Dec/2021:23:59:59 +0000');
  });

  it('absent stage, route, authorizer, integration and response read as undefined', () => {
    const inv = invocation({ stage: undefined, route: undefined });
    for (const name of ['apiId', 'stage', 'routeKey', 'authorizer.principalId', 'authorizer.claims.sub', 'authorizer.key', 'integration.status', 'integrationLatency', 'status', 'responseLength', 'responseLatency', 'error.message', 'error.messageString']) {
      assert.equal(contextVariable(inv, name), undefined, name);
    }
  });

  it('JWT claims, Lambda authorizer context and principalId', () => {
    const inv = invocation({
      authorizer: {
        jwt: { claims: { sub: 'user-1', exp: '1787996002' }, scopes: null },
        lambda: { key: 'value', numKey: 1, boolKey: true, map: { a: 1 } },
        principalId: 'me',
      },
    });
    assert.equal(contextVariable(inv, 'authorizer.claims.sub'), 'user-1');
    assert.equal(contextVariable(inv, 'authorizer.claims.exp'), '1787996002');
    assert.equal(contextVariable(inv, 'authorizer.claims.missing'), undefined);
    assert.equal(contextVariable(inv, 'authorizer.claims'), undefined, 'AWS: calling $context.authorizer.claims returns null');
    assert.equal(contextVariable(inv, 'authorizer.key'), 'value');
    assert.equal(contextVariable(inv, 'authorizer.numKey'), '1');
    assert.equal(contextVariable(inv, 'authorizer.boolKey'), 'true');
    assert.equal(contextVariable(inv, 'authorizer.map'), '{"a":1}');
    assert.equal(contextVariable(inv, 'authorizer.principalId'), 'me');
  });

  it('IAM identity', () => {
    const inv = invocation({ authorizer: { iam: { accountId: '111122223333', callerId: 'AIDA', userArn: 'arn:aws:iam::111122223333:user/u', userId: 'AIDA', cognitoIdentity: { identityId: 'id-1' } } } });
    assert.equal(contextVariable(inv, 'identity.accountId'), '111122223333');
    assert.equal(contextVariable(inv, 'identity.caller'), 'AIDA');
    assert.equal(contextVariable(inv, 'identity.userArn'), 'arn:aws:iam::111122223333:user/u');
    assert.equal(contextVariable(inv, 'identity.cognitoIdentityId'), 'id-1');
    assert.equal(contextVariable(inv, 'identity.cognitoIdentityPoolId'), undefined);
  });

  it('error variables; messageString is quoted; authorizer.error only for authorizer failures', () => {
    const inv = invocation({ error: { message: 'Internal Server Error', responseType: 'AUTHORIZER_FAILURE', detail: 'authorizer timed out' } });
    assert.equal(contextVariable(inv, 'error.message'), 'Internal Server Error');
    assert.equal(contextVariable(inv, 'error.messageString'), '"Internal Server Error"');
    assert.equal(contextVariable(inv, 'error.responseType'), 'AUTHORIZER_FAILURE');
    assert.equal(contextVariable(inv, 'authorizer.error'), 'authorizer timed out');
    const notFound = invocation({ error: { message: 'Not Found', responseType: 'NOT_FOUND' } });
    assert.equal(contextVariable(notFound, 'authorizer.error'), undefined);
  });

  it('integration variables and their aliases', () => {
    const inv = invocation({ integration: { status: 502, latencyMs: 42, error: 'connect ECONNREFUSED', requestId: 'r-1' } });
    for (const name of ['integration.status', 'integration.integrationStatus', 'integrationStatus']) assert.equal(contextVariable(inv, name), '502', name);
    for (const name of ['integration.latency', 'integrationLatency']) assert.equal(contextVariable(inv, name), '42', name);
    for (const name of ['integration.error', 'integrationErrorMessage']) assert.equal(contextVariable(inv, name), 'connect ECONNREFUSED', name);
    for (const name of ['integration.requestId', 'awsEndpointRequestId']) assert.equal(contextVariable(inv, name), 'r-1', name);
  });

  it('status, responseLength, responseLatency and customDomain.basePathMatched', () => {
    const base = invocation({ requestTimeEpoch: 1000 });
    base.response = { statusCode: 201, headers: {}, body: 'héllo' };
    assert.equal(contextVariable(base, 'status'), '201');
    assert.equal(contextVariable(base, 'responseLength'), '6', 'bytes, not characters');
    assert.equal(contextVariable(base, 'responseLatency'), undefined, 'not finished yet');
    base.responseEnd = 1042;
    assert.equal(contextVariable(base, 'responseLatency'), '42');
    base.response = { statusCode: 200, headers: {}, body: Buffer.alloc(10) };
    assert.equal(contextVariable(base, 'responseLength'), '10');
    base.response = { statusCode: 204, headers: {} };
    assert.equal(contextVariable(base, 'responseLength'), '0');
    // A streamed body (the HTTP proxy's) not yet sent: its length is the backend's content-length, if any.
    const streamed = { writeTo: () => Promise.resolve(0) };
    base.response = { statusCode: 200, headers: { 'content-length': '77' }, body: streamed };
    assert.equal(contextVariable(base, 'responseLength'), '77');
    base.response = { statusCode: 200, headers: {}, body: streamed };
    assert.equal(contextVariable(base, 'responseLength'), undefined);
    base.responseLength = 12345;
    assert.equal(contextVariable(base, 'responseLength'), '12345', 'the counted length wins');
    assert.equal(contextVariable(base, 'customDomain.basePathMatched'), undefined);
    base.basePathMatched = 'v1/orders';
    assert.equal(contextVariable(base, 'customDomain.basePathMatched'), 'v1/orders');
  });

  it('identity.clientCert.* read the mutual TLS client certificate; absent without mutual TLS', () => {
    const inv = invocation();
    assert.equal(contextVariable(inv, 'identity.clientCert.subjectDN'), undefined);
    inv.clientCert = {
      clientCertPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      subjectDN: 'C=US,CN=client',
      issuerDN: 'C=US,CN=ca',
      serialNumber: '1',
      validity: { notBefore: 'Aug 29 00:28:21 2020 GMT', notAfter: 'Aug  5 00:28:21 2120 GMT' },
    };
    assert.equal(contextVariable(inv, 'identity.clientCert.clientCertPem'), inv.clientCert.clientCertPem);
    assert.equal(contextVariable(inv, 'identity.clientCert.subjectDN'), 'C=US,CN=client');
    assert.equal(contextVariable(inv, 'identity.clientCert.issuerDN'), 'C=US,CN=ca');
    assert.equal(contextVariable(inv, 'identity.clientCert.serialNumber'), '1');
    assert.equal(contextVariable(inv, 'identity.clientCert.validity.notBefore'), 'Aug 29 00:28:21 2020 GMT');
    assert.equal(contextVariable(inv, 'identity.clientCert.validity.notAfter'), 'Aug  5 00:28:21 2120 GMT');
  });

  it('unknown names read as undefined; compiled accessors are reusable', () => {
    const inv = invocation();
    assert.equal(contextVariable(inv, 'nope'), undefined);
    assert.equal(compileContextVariable('nope')(inv), undefined);
    const read = compileContextVariable('identity.sourceIp');
    assert.equal(read(inv), '203.0.113.7');
    assert.equal(read(invocation({}, { sourceIp: '::1' })), '::1');
    assert.equal(isContextVariable('requestId'), true);
    assert.equal(isContextVariable('authorizer.claims.sub'), true);
    assert.equal(isContextVariable('nope'), false);
  });
});
