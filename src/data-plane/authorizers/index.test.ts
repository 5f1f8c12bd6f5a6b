import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeInvoker, unusedJwks } from '../../../test/fixtures/authorizers/helpers.js';
import { makeInvocation } from '../../../test/fixtures/lambda/invocation.js';
import type { AuthorizerRecord, RouteRecord, StageRecord } from '../../model/resources.js';
import { GatewayError } from '../errors.js';
import { compileAuthorizer, type AuthorizerDeps } from './index.js';

const stage = { stageName: 'dev', deploymentId: 'd1', stageVariables: {} } as unknown as StageRecord;
const route = (authorizationType: string, authorizerId?: string): RouteRecord => ({
  routeId: 'r1',
  routeKey: 'GET /pets',
  authorizationType,
  apiKeyRequired: false,
  createdDate: '',
  ...(authorizerId ? { authorizerId } : {}),
});
const jwt: AuthorizerRecord = {
  authorizerId: 'j1',
  name: 'jwt',
  authorizerType: 'JWT',
  identitySource: ['$request.header.Authorization'],
  jwtConfiguration: { issuer: 'https://issuer.example.com', audience: ['a'] },
  createdDate: '',
};
const lambda: AuthorizerRecord = {
  authorizerId: 'l1',
  name: 'lam',
  authorizerType: 'REQUEST',
  identitySource: ['$request.header.Authorization'],
  authorizerUri: 'arn:aws:lambda:us-east-1:123456789012:function:auth',
  authorizerPayloadFormatVersion: '2.0',
  enableSimpleResponses: true,
  createdDate: '',
};
const deps: AuthorizerDeps = { invoker: fakeInvoker(() => ({ isAuthorized: true })), jwks: unusedJwks };

async function fails500(promise: Promise<unknown> | undefined, detail: RegExp): Promise<void> {
  assert.ok(promise);
  await assert.rejects(promise, (e: unknown) => e instanceof GatewayError && e.statusCode === 500 && e.responseType === 'AUTHORIZER_FAILURE' && detail.test(e.detail ?? ''));
}

describe('compileAuthorizer', () => {
  const inv = () => makeInvocation({ headers: [['Authorization', 't']] });

  it('NONE (or no type) has no authorizer', () => {
    assert.equal(compileAuthorizer(route('NONE'), undefined, stage, deps), undefined);
    assert.equal(compileAuthorizer(route(''), undefined, stage, deps), undefined);
  });

  it('compiles JWT and CUSTOM routes', async () => {
    // The JWT authorizer itself (not the refusing stand-in's 500): a request without a token is 401.
    await assert.rejects(compileAuthorizer(route('JWT', 'j1'), jwt, stage, deps)?.authorize(inv()) ?? Promise.resolve(), (e: unknown) => e instanceof GatewayError && e.statusCode === 401);
    const custom = compileAuthorizer(route('CUSTOM', 'l1'), lambda, stage, deps);
    assert.deepEqual(await custom?.authorize(inv()), { lambda: {} });
  });

  it('a missing authorizer record never opens the route', async () => {
    await fails500(compileAuthorizer(route('JWT', 'gone'), undefined, stage, deps)?.authorize(inv()), /authorizer gone does not exist/);
    await fails500(compileAuthorizer(route('CUSTOM', 'gone'), undefined, stage, deps)?.authorize(inv()), /authorizer gone does not exist/);
  });

  it('a record of the wrong type never opens the route', async () => {
    await fails500(compileAuthorizer(route('JWT', 'l1'), lambda, stage, deps)?.authorize(inv()), /is not a JWT authorizer/);
    await fails500(compileAuthorizer(route('CUSTOM', 'j1'), jwt, stage, deps)?.authorize(inv()), /is not a REQUEST authorizer/);
  });

  it('an unknown authorization type never opens the route', async () => {
    await fails500(compileAuthorizer(route('COGNITO_USER_POOLS'), undefined, stage, deps)?.authorize(inv()), /unsupported authorizationType COGNITO_USER_POOLS/);
  });

  it('AWS_IAM without credentials fails; with them it checks signatures', async () => {
    await fails500(compileAuthorizer(route('AWS_IAM'), undefined, stage, deps)?.authorize(inv()), /AWS_IAM authorization needs configured credentials/);
    const iam = compileAuthorizer(route('AWS_IAM'), undefined, stage, { ...deps, iamCredentials: () => 'secret' });
    await assert.rejects(iam!.authorize(makeInvocation()), (e: GatewayError) => e.statusCode === 403 && /MissingAuthenticationToken/.test(e.detail ?? ''));
    await assert.rejects(iam!.authorize(inv()), (e: GatewayError) => e.statusCode === 403 && /IncompleteSignature/.test(e.detail ?? ''));
    const hooked = compileAuthorizer(route('AWS_IAM'), undefined, stage, { ...deps, iam: { verify: async () => ({ iam: { userId: 'u' } }) } });
    assert.deepEqual(await hooked!.authorize(inv()), { iam: { userId: 'u' } });
  });
});
