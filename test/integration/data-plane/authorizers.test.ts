import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiGatewayV2Client, CreateApiCommand, CreateAuthorizerCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand, ResetAuthorizersCacheCommand } from '@aws-sdk/client-apigatewayv2';
import { signRequest } from '../../../src/auth/sigv4.js';
import { tokenCommand } from '../../../src/cli/token.js';
import { call, fixture, lambdaArn } from '../../helpers/data-plane.js';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';

const AUTHORIZER_URI = (fn: string) => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${lambdaArn(fn)}/invocations`;

describe('data plane: authorizers are enforced', () => {
  let s: TestServer;
  let apiId: string;
  let issuerUrl: string;
  let client: ApiGatewayV2Client;
  const token = (...args: string[]) => tokenCommand(['--issuer', 'dev', '--data-dir', s.dataDir, '--url', `http://localhost:${s.gatehouse.port}`, ...args], {});

  before(async () => {
    s = await startServer({
      args: [
        '--access-log', join(process.env.TMPDIR ?? '/tmp', `gatehouse-auth-access-${process.pid}.log`),
        '--function', `echo=${fixture('echo.mjs')}`,
        '--function', `simple=${fixture('authorizers.mjs')}#simple`,
        '--function', `policy=${fixture('authorizers.mjs')}#policy`,
        '--function', `broken=${fixture('authorizers.mjs')}#broken`,
      ],
      env: { GATEHOUSE_CREDENTIALS: 'AKIDGATEHOUSE:gatehouse-secret' },
    });
    issuerUrl = `http://localhost:${s.gatehouse.port}/_gatehouse/oidc/dev`;
    client = new ApiGatewayV2Client({ endpoint: s.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDGATEHOUSE', secretAccessKey: 'gatehouse-secret' }, maxAttempts: 1 });
    apiId = (await client.send(new CreateApiCommand({ Name: 'auth', ProtocolType: 'HTTP' }))).ApiId as string;
    const { IntegrationId } = await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('echo'), PayloadFormatVersion: '2.0' }));
    const target = `integrations/${IntegrationId}`;
    const jwt = await client.send(new CreateAuthorizerCommand({ ApiId: apiId, Name: 'jwt', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: { Issuer: issuerUrl, Audience: ['pets-api'] } }));
    const simple = await client.send(
      new CreateAuthorizerCommand({ ApiId: apiId, Name: 'simple', AuthorizerType: 'REQUEST', AuthorizerUri: AUTHORIZER_URI('simple'), AuthorizerPayloadFormatVersion: '2.0', EnableSimpleResponses: true, IdentitySource: ['$request.header.x-token'], AuthorizerResultTtlInSeconds: 300 }),
    );
    const policy = await client.send(new CreateAuthorizerCommand({ ApiId: apiId, Name: 'policy', AuthorizerType: 'REQUEST', AuthorizerUri: AUTHORIZER_URI('policy'), AuthorizerPayloadFormatVersion: '1.0', IdentitySource: ['$request.header.x-token'] }));
    const broken = await client.send(new CreateAuthorizerCommand({ ApiId: apiId, Name: 'broken', AuthorizerType: 'REQUEST', AuthorizerUri: AUTHORIZER_URI('broken'), AuthorizerPayloadFormatVersion: '2.0', EnableSimpleResponses: true } as never));
    await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /jwt', Target: target, AuthorizationType: 'JWT', AuthorizerId: jwt.AuthorizerId }));
    await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /scoped', Target: target, AuthorizationType: 'JWT', AuthorizerId: jwt.AuthorizerId, AuthorizationScopes: ['pets:write'] }));
    await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /simple', Target: target, AuthorizationType: 'CUSTOM', AuthorizerId: simple.AuthorizerId }));
    await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /policy', Target: target, AuthorizationType: 'CUSTOM', AuthorizerId: policy.AuthorizerId }));
    await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /broken', Target: target, AuthorizationType: 'CUSTOM', AuthorizerId: broken.AuthorizerId }));
    await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /iam', Target: target, AuthorizationType: 'AWS_IAM' }));
    await client.send(
      new CreateStageCommand({
        ApiId: apiId, StageName: '$default', AutoDeploy: true,
        AccessLogSettings: { DestinationArn: 'arn:aws:logs:us-east-1:123456789012:log-group:auth', Format: '$context.requestId $context.status $context.authorizer.principalId [$context.authorizer.error]' },
      }),
    );
  });
  after(async () => {
    client.destroy();
    await s.close();
    rmSync(join(process.env.TMPDIR ?? '/tmp', `gatehouse-auth-access-${process.pid}.log`), { force: true });
  });

  it('JWT: a token from the built-in issuer passes; claims reach the event as strings', async () => {
    const jwt = await token('--aud', 'pets-api', '--scope', 'pets:read', '--sub', 'ann');
    const res = await call(s.gatehouse.port, apiId, 'GET', '/jwt', { headers: { authorization: `Bearer ${jwt}` } });
    assert.equal(res.status, 200, res.text);
    const claims = res.json<any>().requestContext.authorizer.jwt;
    assert.equal(claims.claims.sub, 'ann');
    assert.equal(claims.claims.iss, issuerUrl);
    assert.equal(typeof claims.claims.exp, 'string');
    assert.equal(claims.scopes, null, 'scopes are null unless the route has authorizationScopes');
  });

  it('JWT: missing, expired, wrong audience, tampered and alg:none tokens are 401', async () => {
    const missing = await call(s.gatehouse.port, apiId, 'GET', '/jwt');
    assert.equal(missing.status, 401);
    assert.equal(missing.text, '{"message":"Unauthorized"}');
    const wrongAud = await call(s.gatehouse.port, apiId, 'GET', '/jwt', { headers: { authorization: `Bearer ${await token('--aud', 'other')}` } });
    assert.equal(wrongAud.status, 401);
    assert.equal(wrongAud.headers['www-authenticate'], 'Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"');
    const expired = await call(s.gatehouse.port, apiId, 'GET', '/jwt', { headers: { authorization: `Bearer ${await token('--aud', 'pets-api', '--expires-in', '-60')}` } });
    assert.equal(expired.status, 401);
    const good = await token('--aud', 'pets-api');
    const [h, p] = good.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p as string, 'base64url').toString()), sub: 'admin' })).toString('base64url');
    const tampered = await call(s.gatehouse.port, apiId, 'GET', '/jwt', { headers: { authorization: `Bearer ${h}.${forged}.${good.split('.')[2]}` } });
    assert.equal(tampered.status, 401);
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
    assert.equal((await call(s.gatehouse.port, apiId, 'GET', '/jwt', { headers: { authorization: `Bearer ${none}` } })).status, 401);
  });

  it('JWT: route scopes need one match, else 403', async () => {
    const read = await call(s.gatehouse.port, apiId, 'GET', '/scoped', { headers: { authorization: `Bearer ${await token('--aud', 'pets-api', '--scope', 'pets:read')}` } });
    assert.equal(read.status, 403);
    assert.equal(read.text, '{"message":"Forbidden"}');
    const write = await call(s.gatehouse.port, apiId, 'GET', '/scoped', { headers: { authorization: `Bearer ${await token('--aud', 'pets-api', '--scope', 'pets:read pets:write')}` } });
    assert.equal(write.status, 200);
    assert.deepEqual(write.json<any>().requestContext.authorizer.jwt.scopes, ['pets:read', 'pets:write']);
  });

  it('Lambda simple responses: allow, deny, missing identity, cache per identity, reset', async () => {
    assert.equal((await call(s.gatehouse.port, apiId, 'GET', '/simple')).status, 401, 'no identity source: 401 without calling the function');
    const denied = await call(s.gatehouse.port, apiId, 'GET', '/simple', { headers: { 'x-token': 'nope' } });
    assert.equal(denied.status, 403);
    const first = await call(s.gatehouse.port, apiId, 'GET', '/simple', { headers: { 'x-token': 'let-me-in' } });
    assert.equal(first.status, 200);
    const context = first.json<any>().requestContext.authorizer.lambda;
    assert.equal(context.user, 'let-me-in');
    const second = await call(s.gatehouse.port, apiId, 'GET', '/simple', { headers: { 'x-token': 'let-me-in' } });
    assert.equal(second.json<any>().requestContext.authorizer.lambda.calls, context.calls, 'the cached result was used: the function was not called again');
    assert.equal((await call(s.gatehouse.port, apiId, 'GET', '/simple')).status, 401);
    const other = await call(s.gatehouse.port, apiId, 'GET', '/simple', { headers: { 'x-token': 'other-good' } });
    assert.equal(other.json<any>().requestContext.authorizer.lambda.calls, context.calls + 1, 'neither the cached nor the identity-less request invoked the authorizer');
    assert.equal(other.json<any>().requestContext.authorizer.lambda.user, 'other-good', 'another identity is not served from the cache');
    await client.send(new ResetAuthorizersCacheCommand({ ApiId: apiId, StageName: '$default' }));
    const afterReset = await call(s.gatehouse.port, apiId, 'GET', '/simple', { headers: { 'x-token': 'let-me-in' } });
    assert.ok(afterReset.json<any>().requestContext.authorizer.lambda.calls > context.calls, 'ResetAuthorizersCache dropped the cached result');
  });

  it('Lambda policy responses and failing authorizers', async () => {
    assert.equal((await call(s.gatehouse.port, apiId, 'GET', '/policy', { headers: { 'x-token': 'allow' } })).status, 200);
    assert.equal((await call(s.gatehouse.port, apiId, 'GET', '/policy', { headers: { 'x-token': 'deny' } })).status, 403);
    const broken = await call(s.gatehouse.port, apiId, 'GET', '/broken');
    assert.equal(broken.status, 500);
    assert.equal(broken.text, '{"message":"Internal Server Error"}');
  });

  it('authorization decisions appear in the access log', async () => {
    const expired = await call(s.gatehouse.port, apiId, 'GET', '/jwt', { headers: { authorization: `Bearer ${await token('--aud', 'pets-api', '--expires-in', '-60')}` } });
    const allowed = await call(s.gatehouse.port, apiId, 'GET', '/policy', { headers: { 'x-token': 'allow' } });
    await new Promise((r) => setTimeout(r, 100));
    const lines = readFileSync(join(process.env.TMPDIR ?? '/tmp', `gatehouse-auth-access-${process.pid}.log`), 'utf8').split('\n');
    assert.ok(lines.includes(`${expired.headers['apigw-requestid']} 401 - [the token has expired]`), lines.join('\n'));
    assert.ok(lines.includes(`${allowed.headers['apigw-requestid']} 200 user-1 [-]`), lines.join('\n'));
  });

  it('AWS_IAM: signed requests pass, unsigned and tampered ones are 403', async () => {
    const url = new URL(`http://${apiId}.execute-api.localhost:${s.gatehouse.port}/iam`);
    const headers = signRequest({ method: 'GET', url, headers: { host: url.host }, body: '' }, { accessKeyId: 'AKIDGATEHOUSE', secretAccessKey: 'gatehouse-secret' }, { region: 'us-east-1', service: 'execute-api' });
    const signed = await call(s.gatehouse.port, apiId, 'GET', '/iam', { headers, host: url.host });
    assert.equal(signed.status, 200, signed.text);
    assert.equal(signed.json<any>().requestContext.authorizer.iam.accessKey, 'AKIDGATEHOUSE');
    assert.equal((await call(s.gatehouse.port, apiId, 'GET', '/iam')).status, 403);
    const tampered = await call(s.gatehouse.port, apiId, 'GET', '/iam?extra=1', { headers, host: url.host });
    assert.equal(tampered.status, 403);
    assert.equal(tampered.text, '{"message":"Forbidden"}');
  });
});
