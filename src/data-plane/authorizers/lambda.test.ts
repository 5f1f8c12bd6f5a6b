import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeInvoker, raw, unusedJwks } from '../../../test/fixtures/authorizers/helpers.js';
import { makeInvocation, type InvocationSpec } from '../../../test/fixtures/lambda/invocation.js';
import type { AuthorizerRecord, RouteRecord, StageRecord } from '../../model/resources.js';
import { GatewayError } from '../errors.js';
import { FunctionNotFoundError, FunctionTimeoutError } from '../functions/invoker.js';
import type { Invocation } from '../invocation.js';
import { compileAuthorizer, type AuthorizerDeps } from './index.js';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:auth';
const URI = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FUNCTION_ARN}/invocations`;
const ARN_PREFIX = 'arn:aws:execute-api:us-east-1:123456789012:abc123/dev';

const authorizerRecord = (over: Partial<AuthorizerRecord> = {}): AuthorizerRecord => ({
  authorizerId: 'lam1',
  name: 'lam',
  authorizerType: 'REQUEST',
  identitySource: ['$request.header.Authorization'],
  authorizerUri: URI,
  authorizerPayloadFormatVersion: '2.0',
  enableSimpleResponses: true,
  createdDate: '2020-01-01T00:00:00Z',
  ...over,
});

const stageRecord = (): StageRecord => ({
  stageName: 'dev',
  autoDeploy: false,
  deploymentId: 'd1',
  defaultRouteSettings: {},
  routeSettings: {},
  stageVariables: {},
  tags: {},
  createdDate: '2020-01-01T00:00:00Z',
  lastUpdatedDate: '2020-01-01T00:00:00Z',
});

const routeRecord = (routeKey = 'GET /pets/{id}'): RouteRecord => ({
  routeId: routeKey,
  routeKey,
  authorizationType: 'CUSTOM',
  authorizerId: 'lam1',
  apiKeyRequired: false,
  createdDate: '2020-01-01T00:00:00Z',
});


/** A request as the pipeline has it at authorize (routePath without the stage segment). */
function request(spec: InvocationSpec & { routePath?: string } = {}): Invocation {
  const inv = makeInvocation({
    method: 'GET',
    path: '/dev/pets/1',
    apiId: 'abc123',
    accountId: '123456789012',
    stageName: 'dev',
    routeKey: 'GET /pets/{id}',
    pathParameters: { id: '1' },
    headers: [['Authorization', 'token-1']],
    ...spec,
  });
  inv.routePath = spec.routePath ?? (inv.request.path.replace(/^\/dev/, '') || '/');
  return inv;
}

function setup(record: AuthorizerRecord, respond: Parameters<typeof fakeInvoker>[0]) {
  const invoker = fakeInvoker(respond);
  let now = 1_000_000;
  const deps: AuthorizerDeps = { invoker, jwks: unusedJwks, clock: () => now };
  const stage = stageRecord();
  const compile = (routeKey?: string, stageObject = stage) => compileAuthorizer(routeRecord(routeKey), record, stageObject, deps);
  return { invoker, compile, advance: (ms: number) => (now += ms) };
}

async function refused(promise: Promise<unknown>, status: number, detail?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof GatewayError, String(error));
    assert.equal(error.statusCode, status);
    assert.equal(error.message, { 401: 'Unauthorized', 403: 'Forbidden', 500: 'Internal Server Error' }[status]);
    assert.equal(error.responseType, { 401: 'UNAUTHORIZED', 403: 'ACCESS_DENIED', 500: 'AUTHORIZER_FAILURE' }[status]);
    if (detail) assert.match(error.detail ?? '', detail);
    return true;
  });
}

const policy = (effect: 'Allow' | 'Deny', resource: string | string[], extra: Record<string, unknown> = {}) => ({
  principalId: 'alice',
  policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] },
  ...extra,
});

describe('Lambda authorizer, payload 2.0', () => {
  it('simple allow: the 2.0 REQUEST event, and the context for the integration', async () => {
    const { invoker, compile } = setup(authorizerRecord(), () => ({ isAuthorized: true, context: { user: 'alice', n: 1, list: [1], map: { a: 'b' } } }));
    const inv = request({ headers: [['Authorization', 'token-1'], ['Cookie', 'a=1; b=2'], ['X-Thing', 'v']], rawQueryString: 'q=1&q=2' });
    const result = await compile()?.authorize(inv);
    assert.deepEqual(result, { lambda: { user: 'alice', n: 1, list: [1], map: { a: 'b' } } });
    assert.equal(invoker.calls.length, 1);
    const { event, fn, timeoutMs } = invoker.calls[0]!;
    assert.equal(fn.functionArn, FUNCTION_ARN);
    assert.equal(timeoutMs, 10_000);
    assert.equal(event.version, '2.0');
    assert.equal(event.type, 'REQUEST');
    assert.equal(event.routeArn, `${ARN_PREFIX}/GET/pets/1`);
    assert.deepEqual(event.identitySource, ['token-1']);
    assert.equal(event.routeKey, 'GET /pets/{id}');
    assert.equal(event.rawPath, '/dev/pets/1');
    assert.equal(event.rawQueryString, 'q=1&q=2');
    assert.deepEqual(event.cookies, ['a=1', 'b=2']);
    assert.deepEqual(event.headers, { authorization: 'token-1', 'x-thing': 'v' });
    assert.deepEqual(event.queryStringParameters, { q: '1,2' });
    assert.deepEqual(event.pathParameters, { id: '1' });
    const ctx = event.requestContext as Record<string, unknown>;
    assert.equal(ctx.accountId, '123456789012');
    assert.equal(ctx.apiId, 'abc123');
    assert.equal(ctx.stage, 'dev');
    assert.equal((ctx.http as Record<string, unknown>).method, 'GET');
    assert.equal('body' in event, false);
    assert.equal('isBase64Encoded' in event, false);
    assert.equal('authorizer' in ctx, false);
  });

  it('simple deny: 403 Forbidden', async () => {
    const { compile } = setup(authorizerRecord(), () => ({ isAuthorized: false }));
    await refused(compile()!.authorize(request()), 403, /isAuthorized: false/);
  });

  it('IAM policy responses without enableSimpleResponses: wildcards, implicit and explicit deny', async () => {
    let answer: unknown = policy('Allow', `${ARN_PREFIX}/GET/*`, { context: { k: 'v' } });
    const { compile } = setup(authorizerRecord({ enableSimpleResponses: false }), () => answer);
    assert.deepEqual(await compile()!.authorize(request()), { lambda: { k: 'v' }, principalId: 'alice' });
    answer = policy('Allow', `${ARN_PREFIX}/POST/*`);
    await refused(compile()!.authorize(request()), 403, /does not allow execute-api:Invoke on .*\/GET\/pets\/1/);
    answer = policy('Allow', 'arn:aws:execute-api:us-east-1:123456789012:abc123/*/GET/pets/?');
    assert.ok(await compile()!.authorize(request()));
    answer = {
      principalId: 'alice',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Action: 'execute-api:*', Effect: 'Allow', Resource: '*' },
          { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${ARN_PREFIX}/*/pets/*`] },
        ],
      },
    };
    await refused(compile()!.authorize(request()), 403, /policy denies/);
  });
});

describe('Lambda authorizer, payload 1.0', () => {
  const v1 = authorizerRecord({ authorizerPayloadFormatVersion: '1.0', enableSimpleResponses: false, identitySource: ['$request.header.Authorization', '$request.querystring.k'] });

  it('sends the REST-style REQUEST event and allows by policy', async () => {
    const { invoker, compile } = setup(v1, () => policy('Allow', `${ARN_PREFIX}/GET/pets/1`, { context: { user: 'alice', admin: true } }));
    const inv = request({ headers: [['Authorization', 'token-1'], ['X-Multi', 'a'], ['x-multi', 'b']], rawQueryString: 'k=key1' });
    assert.deepEqual(await compile()!.authorize(inv), { lambda: { user: 'alice', admin: true }, principalId: 'alice' });
    const { event } = invoker.calls[0]!;
    assert.equal(event.version, '1.0');
    assert.equal(event.type, 'REQUEST');
    assert.equal(event.methodArn, `${ARN_PREFIX}/GET/pets/1`);
    assert.equal(event.identitySource, 'token-1,key1');
    assert.equal(event.authorizationToken, 'token-1,key1');
    assert.equal(event.resource, '/pets/{id}');
    assert.equal(event.path, '/dev/pets/1');
    assert.equal(event.httpMethod, 'GET');
    assert.deepEqual(event.headers, { Authorization: 'token-1', 'X-Multi': 'b' });
    assert.deepEqual(event.multiValueHeaders, { Authorization: ['token-1'], 'X-Multi': ['a', 'b'] });
    assert.deepEqual(event.queryStringParameters, { k: 'key1' });
    assert.deepEqual(event.pathParameters, { id: '1' });
    assert.equal('body' in event, false);
  });

  it('policy deny: 403', async () => {
    const { compile } = setup(v1, () => policy('Deny', '*'));
    await refused(compile()!.authorize(request({ rawQueryString: 'k=1' })), 403);
  });

  it('1.0 context values must be strings, numbers or booleans', async () => {
    const { compile } = setup(v1, () => policy('Allow', '*', { context: { nested: { a: 1 } } }));
    await refused(compile()!.authorize(request({ rawQueryString: 'k=1' })), 500, /context\.nested/);
  });
});

describe('Lambda authorizer identity sources', () => {
  it('a missing or empty identity source is 401 without invoking the function', async () => {
    const { invoker, compile } = setup(authorizerRecord({ identitySource: ['$request.header.Authorization', '$request.querystring.k'] }), () => ({ isAuthorized: true }));
    await refused(compile()!.authorize(request({ headers: [] , rawQueryString: 'k=1' })), 401, /\$request\.header\.Authorization/);
    await refused(compile()!.authorize(request({ headers: [['Authorization', '']], rawQueryString: 'k=1' })), 401);
    await refused(compile()!.authorize(request({ rawQueryString: 'x=1' })), 401, /\$request\.querystring\.k/);
    await refused(compile()!.authorize(request({ rawQueryString: 'k=' })), 401);
    assert.equal(invoker.calls.length, 0);
  });

  it('reads headers case-insensitively, query strings, context and stage variables', async () => {
    const { invoker, compile } = setup(
      authorizerRecord({ identitySource: ['$request.header.X-API-KEY', '$request.querystring.Name', '$context.routeKey', '$context.identity.sourceIp', '$stageVariables.tenant'] }),
      () => ({ isAuthorized: true }),
    );
    await compile()!.authorize(request({ headers: [['x-api-key', 'k1']], rawQueryString: 'Name=a+b%21', sourceIp: '10.0.0.7', stageVariables: { tenant: 't1' } }));
    assert.deepEqual(invoker.calls[0]!.event.identitySource, ['k1', 'a b!', 'GET /pets/{id}', '10.0.0.7', 't1']);
    await refused(compile()!.authorize(request({ headers: [['x-api-key', 'k1']], rawQueryString: 'name=x', stageVariables: { tenant: 't1' } })), 401, /querystring\.Name/);
  });

  it('no identity sources: always invoked, never cached', async () => {
    const { invoker, compile } = setup(authorizerRecord({ identitySource: [], authorizerResultTtlInSeconds: 300 }), () => ({ isAuthorized: true }));
    await compile()!.authorize(request());
    await compile()!.authorize(request());
    assert.equal(invoker.calls.length, 2);
    assert.deepEqual(invoker.calls[0]!.event.identitySource, []);
  });
});

describe('Lambda authorizer result cache', () => {
  const cached = authorizerRecord({ authorizerResultTtlInSeconds: 300 });

  it('the second request does not invoke; another identity does; entries expire after the TTL', async () => {
    const { invoker, compile, advance } = setup(cached, (event) => ({ isAuthorized: true, context: { who: (event.identitySource as string[])[0] } }));
    const authorizer = compile()!;
    assert.deepEqual(await authorizer.authorize(request()), { lambda: { who: 'token-1' } });
    assert.deepEqual(await authorizer.authorize(request()), { lambda: { who: 'token-1' } });
    assert.equal(invoker.calls.length, 1);
    assert.deepEqual(await authorizer.authorize(request({ headers: [['Authorization', 'token-2']] })), { lambda: { who: 'token-2' } }, 'never another identity’s context');
    assert.equal(invoker.calls.length, 2);
    advance(299_000);
    await authorizer.authorize(request());
    assert.equal(invoker.calls.length, 2);
    advance(1_000);
    await authorizer.authorize(request());
    assert.equal(invoker.calls.length, 3, 'expired after 300 s');
  });

  it('a cached deny is a deny too', async () => {
    const { invoker, compile } = setup(cached, () => ({ isAuthorized: false }));
    await refused(compile()!.authorize(request()), 403);
    await refused(compile()!.authorize(request()), 403);
    assert.equal(invoker.calls.length, 1);
  });

  it('the key holds every identity source value', async () => {
    const { invoker, compile } = setup(authorizerRecord({ authorizerResultTtlInSeconds: 300, identitySource: ['$request.header.Authorization', '$request.querystring.t'] }), () => ({ isAuthorized: true }));
    await compile()!.authorize(request({ rawQueryString: 't=1' }));
    await compile()!.authorize(request({ rawQueryString: 't=2' }));
    await compile()!.authorize(request({ rawQueryString: 't=1' }));
    assert.equal(invoker.calls.length, 2);
  });

  it('a cached simple allow covers every route of the stage using the authorizer', async () => {
    const { invoker, compile } = setup(cached, () => ({ isAuthorized: true }));
    await compile('GET /pets/{id}')!.authorize(request());
    await compile('POST /pets')!.authorize(request({ method: 'POST', path: '/dev/pets', routeKey: 'POST /pets' }));
    assert.equal(invoker.calls.length, 1);
  });

  it('a cached policy is evaluated again for each route ARN', async () => {
    const { invoker, compile } = setup(authorizerRecord({ authorizerResultTtlInSeconds: 300, enableSimpleResponses: false }), () => policy('Allow', `${ARN_PREFIX}/GET/*`));
    await compile('GET /pets/{id}')!.authorize(request());
    await refused(compile('POST /pets')!.authorize(request({ method: 'POST', path: '/dev/pets', routeKey: 'POST /pets' })), 403);
    assert.equal(invoker.calls.length, 1);
  });

  it('a recompiled stage (new deployment, ResetAuthorizersCache) starts empty', async () => {
    const { invoker, compile } = setup(cached, () => ({ isAuthorized: true }));
    await compile()!.authorize(request());
    await compile(undefined, stageRecord())!.authorize(request());
    assert.equal(invoker.calls.length, 2);
  });

  it('TTL 0 disables caching', async () => {
    const { invoker, compile } = setup(authorizerRecord({ authorizerResultTtlInSeconds: 0 }), () => ({ isAuthorized: true }));
    const authorizer = compile()!;
    await authorizer.authorize(request());
    await authorizer.authorize(request());
    assert.equal(invoker.calls.length, 2);
  });

  it('concurrent requests of one identity share one invocation', async () => {
    const { invoker, compile } = setup(cached, () => new Promise((resolve) => setTimeout(() => resolve({ isAuthorized: true }), 20)));
    await Promise.all([1, 2, 3, 4].map(() => compile()!.authorize(request())));
    assert.equal(invoker.calls.length, 1);
  });

  it('failures are not cached', async () => {
    let fail = true;
    const { invoker, compile } = setup(cached, () => (fail ? raw('not json') : { isAuthorized: true }));
    await refused(compile()!.authorize(request()), 500);
    fail = false;
    await compile()!.authorize(request());
    assert.equal(invoker.calls.length, 2);
  });
});

describe('Lambda authorizer failures are 500 (never open)', () => {
  const cases: [string, AuthorizerRecord, () => unknown, RegExp][] = [
    ['function error', authorizerRecord(), () => raw(JSON.stringify({ errorMessage: 'boom', errorType: 'Error' }), 'Unhandled'), /failed \(Unhandled\): boom/],
    ['timeout', authorizerRecord(), () => Promise.reject(new FunctionTimeoutError('late')), /did not answer within 10000 ms/],
    ['unknown function', authorizerRecord(), () => Promise.reject(new FunctionNotFoundError('no such function')), /FunctionNotFoundError: no such function/],
    ['garbage payload', authorizerRecord(), () => raw('<html>'), /not JSON/],
    ['not an object', authorizerRecord(), () => 'yes', /not a JSON object/],
    ['simple response without isAuthorized', authorizerRecord(), () => ({ authorized: true }), /boolean isAuthorized/],
    ['isAuthorized as a string', authorizerRecord(), () => ({ isAuthorized: 'true' }), /boolean isAuthorized/],
    ['policy without policyDocument', authorizerRecord({ enableSimpleResponses: false }), () => ({ isAuthorized: true }), /invalid policy/],
    ['policy with a bad Effect', authorizerRecord({ enableSimpleResponses: false }), () => policy('allow' as 'Allow', '*'), /Effect "allow"/],
    ['context that is a list', authorizerRecord(), () => ({ isAuthorized: true, context: [1] }), /context that is not an object/],
  ];
  for (const [name, record, respond, detail] of cases) {
    it(name, async () => {
      const { compile } = setup(record, respond);
      await refused(compile()!.authorize(request()), 500, detail);
    });
  }

  it('a missing stage variable in the authorizer URI', async () => {
    const record = authorizerRecord({ authorizerUri: URI.replace('function:auth', 'function:${stageVariables.fn}') });
    const { invoker, compile } = setup(record, () => ({ isAuthorized: true }));
    await refused(compile()!.authorize(request()), 500, /stage variable fn not set/);
    await compile()!.authorize(request({ stageVariables: { fn: 'auth-dev' } }));
    assert.equal(invoker.calls[0]!.fn.functionName, 'auth-dev');
  });

  it('an authorizer URI that names no function', async () => {
    const { invoker, compile } = setup(authorizerRecord({ authorizerUri: 'arn:aws:s3:::bucket' }), () => ({ isAuthorized: true }));
    await refused(compile()!.authorize(request()), 500, /not a Lambda function URI/);
    assert.equal(invoker.calls.length, 0);
  });
});
