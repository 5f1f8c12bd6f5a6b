import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { CreateAuthorizerCommand } from '@aws-sdk/client-apigatewayv2';
import { presignUrl } from '../../../src/auth/sigv4.js';
import { connect, contextOf, createWsApi, eventOf, lambdaArn, recorded, refusedStatus, startWsServer, type TestSocket, type WsTestServer } from './ws-helpers.js';

const authorizerEvents = (): Record<string, unknown>[] => ((globalThis as { __gatehouseWsAuthorizerEvents?: Record<string, unknown>[] }).__gatehouseWsAuthorizerEvents ??= []);
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

async function inspect(c: TestSocket): Promise<Record<string, unknown>> {
  c.ws.send('{"action":"inspect"}');
  return contextOf(JSON.parse(await c.next()) as Record<string, unknown>);
}

describe('websocket: $connect authorization', () => {
  let s: WsTestServer;
  let customApi: string;
  let iamApi: string;

  before(async () => {
    s = await startWsServer({ env: { GATEHOUSE_CREDENTIALS: `${CREDENTIALS.accessKeyId}:${CREDENTIALS.secretAccessKey}` } });
    customApi = await createWsApi(
      s.client,
      [{ key: '$connect', authorizationType: 'CUSTOM', authorizerId: 'tokens' }, { key: '$disconnect' }, { key: 'inspect', twoWay: true }],
      async (apiId) => {
        const { AuthorizerId } = await s.client.send(
          new CreateAuthorizerCommand({
            ApiId: apiId,
            Name: 'tokens',
            AuthorizerType: 'REQUEST',
            AuthorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${lambdaArn('auth')}/invocations`,
            IdentitySource: ['route.request.header.X-Token'],
          }),
        );
        return { tokens: AuthorizerId as string };
      },
    );
    iamApi = await createWsApi(s.client, [{ key: '$connect', authorizationType: 'AWS_IAM' }, { key: 'inspect', twoWay: true }]);
  });
  after(() => s.close());

  it('allows with an Allow policy; principalId and context are on every later event', async () => {
    const c = await connect(s.port, customApi, { headers: { 'X-Token': 'allow' } });
    const ctx = await inspect(c);
    const authorizer = ctx.authorizer as Record<string, unknown>;
    assert.equal(authorizer.principalId, 'user-1');
    assert.equal(authorizer.tier, 'gold');
    const id = ctx.connectionId as string;
    assert.deepEqual(contextOf(await eventOf(id, 'CONNECT')).authorizer, authorizer);
    await c.close();
    assert.deepEqual(contextOf(await eventOf(id, 'DISCONNECT')).authorizer, authorizer);
    // the authorizer event: REST-style REQUEST with the $connect method ARN
    const event = authorizerEvents().at(-1) as Record<string, unknown>;
    assert.equal(event.type, 'REQUEST');
    assert.match(event.methodArn as string, new RegExp(`^arn:aws:execute-api:us-east-1:\\d{12}:${customApi}/prod/\\$connect$`));
    assert.equal((event.headers as Record<string, string>)['X-Token'], 'allow');
    assert.equal(contextOf(event).routeKey, '$connect');
    assert.equal(contextOf(event).connectionId, id);
  });

  it('denies with 403, 401 without the identity source (authorizer not called), 500 when it fails', async () => {
    const connects = () => recorded().filter((e) => contextOf(e).apiId === customApi && contextOf(e).eventType === 'CONNECT').length;
    const before = connects();
    const calls = authorizerEvents().length;
    assert.equal(await refusedStatus(connect(s.port, customApi, { headers: { 'X-Token': 'nope' } })), 403);
    assert.equal(authorizerEvents().length, calls + 1);
    assert.equal(await refusedStatus(connect(s.port, customApi)), 401);
    assert.equal(authorizerEvents().length, calls + 1);
    assert.equal(await refusedStatus(connect(s.port, customApi, { headers: { 'X-Token': 'crash' } })), 500);
    assert.equal(connects(), before, '$connect integration is not called for refused connections');
  });

  it('AWS_IAM: a SigV4-presigned upgrade connects, an unsigned or badly signed one gets 403', async () => {
    const base = new URL(`ws://127.0.0.1:${s.port}/_aws/execute-api/${iamApi}/prod`);
    const signed = presignUrl({ method: 'GET', url: base }, CREDENTIALS, { region: 'us-east-1', service: 'execute-api' }, 60);
    const c = await connect(s.port, iamApi, { url: signed.href });
    try {
      const ctx = await inspect(c);
      assert.equal((ctx.identity as Record<string, unknown>).accessKey, CREDENTIALS.accessKeyId);
      assert.equal((ctx.identity as Record<string, unknown>).sourceIp, '127.0.0.1');
    } finally {
      await c.close();
    }
    assert.equal(await refusedStatus(connect(s.port, iamApi, { url: base.href })), 403);
    const wrong = presignUrl({ method: 'GET', url: base }, { ...CREDENTIALS, secretAccessKey: 'wrong' }, { region: 'us-east-1', service: 'execute-api' }, 60);
    assert.equal(await refusedStatus(connect(s.port, iamApi, { url: wrong.href })), 403);
  });

  it('@connections requires an execute-api signature when credentials are configured', async () => {
    const c = await connect(s.port, customApi, { headers: { 'X-Token': 'allow' } });
    const mgmt = new ApiGatewayManagementApiClient({ endpoint: `http://127.0.0.1:${s.port}/_aws/execute-api/${customApi}/prod`, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      const id = (await inspect(c)).connectionId as string;
      const unsigned = await fetch(`http://127.0.0.1:${s.port}/_aws/execute-api/${customApi}/prod/@connections/${encodeURIComponent(id)}`, { method: 'POST', body: 'x' });
      assert.equal(unsigned.status, 403);
      assert.equal(unsigned.headers.get('x-amzn-errortype'), 'ForbiddenException');
      await mgmt.send(new PostToConnectionCommand({ ConnectionId: id, Data: new TextEncoder().encode('signed') }));
      assert.equal(await c.next(), 'signed');
    } finally {
      mgmt.destroy();
      await c.close();
    }
  });
});
