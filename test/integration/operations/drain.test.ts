/**
 * Graceful shutdown of a real `gatehouse serve` process: SIGTERM while a slow upstream request is
 * in flight and a WebSocket is open. The request completes with 200, a new connection is refused,
 * the WebSocket closes with 1001, its `$disconnect` route is called, and the process exits 0.
 */
import assert from 'node:assert/strict';
import { connect as connectTcp } from 'node:net';
import { describe, it } from 'node:test';
import { CreateApiCommand, CreateDeploymentCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { call } from '../../helpers/data-plane.js';
import { startCli } from '../../helpers/cli.js';
import { sdkClient } from '../../helpers/server.js';
import { startUpstream } from '../../helpers/upstream.js';
import { connect } from '../websocket/ws-helpers.js';

/** Resolves with the error code of a TCP connection attempt to 127.0.0.1:port ('connected' if it was accepted). */
const tryConnect = (port: number) =>
  new Promise<string>((resolve) => {
    const socket = connectTcp(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });

describe('operations: graceful drain on SIGTERM', () => {
  it('finishes the in-flight request, refuses new connections, closes WebSockets with 1001 and calls $disconnect', async () => {
    const upstream = await startUpstream();
    const cli = await startCli(['--drain-timeout', '5000', '--log-format', 'json', '--request-log', 'off']);
    const client = sdkClient(cli.url);
    try {
      const httpApi = (await client.send(new CreateApiCommand({ Name: 'drain', ProtocolType: 'HTTP' }))).ApiId as string;
      const { IntegrationId } = await client.send(new CreateIntegrationCommand({ ApiId: httpApi, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: `${upstream.origin}/slow`, PayloadFormatVersion: '1.0' }));
      await client.send(new CreateRouteCommand({ ApiId: httpApi, RouteKey: 'GET /slow', Target: `integrations/${IntegrationId}` }));
      await client.send(new CreateStageCommand({ ApiId: httpApi, StageName: '$default', AutoDeploy: true }));
      const wsApi = (await client.send(new CreateApiCommand({ Name: 'drain-ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId as string;
      const disconnect = await client.send(new CreateIntegrationCommand({ ApiId: wsApi, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'POST', IntegrationUri: `${upstream.origin}/disconnect` }));
      await client.send(new CreateRouteCommand({ ApiId: wsApi, RouteKey: '$disconnect', Target: `integrations/${disconnect.IntegrationId}` }));
      const { DeploymentId } = await client.send(new CreateDeploymentCommand({ ApiId: wsApi }));
      await client.send(new CreateStageCommand({ ApiId: wsApi, StageName: 'prod', DeploymentId }));

      const socket = await connect(cli.port, wsApi);
      const slow = call(cli.port, httpApi, 'GET', '/slow', { headers: { 'x-upstream-delay': '1500' } }).catch((err: unknown) => {
        throw new Error(`the in-flight request failed: ${String(err)}\n${cli.stderr()}`);
      });
      slow.catch(() => undefined);
      while (!upstream.requests.some((r) => r.path === '/slow')) await new Promise((resolve) => setTimeout(resolve, 5));

      const exited = cli.stop();
      await cli.waitFor(/gatehouse shutting down: draining/);
      assert.equal(await tryConnect(cli.port), 'ECONNREFUSED', 'a new connection after SIGTERM is refused');
      assert.deepEqual(await socket.closed, { code: 1001, reason: 'Going away' });
      const res = await slow;
      assert.equal(res.status, 200, 'the request in flight when SIGTERM arrived completes');
      assert.equal(JSON.parse(res.text).path, '/slow');
      assert.equal(await exited, 0);
      const calls = upstream.requests.filter((r) => r.path === '/disconnect');
      assert.equal(calls.length, 1, '$disconnect was called once');
    } finally {
      client.destroy();
      await cli.stop();
      await upstream.close();
    }
  });

  it('cuts a request still running at --drain-timeout and exits', async () => {
    const upstream = await startUpstream();
    const cli = await startCli(['--drain-timeout', '300', '--log-format', 'json', '--request-log', 'off']);
    const client = sdkClient(cli.url);
    try {
      const httpApi = (await client.send(new CreateApiCommand({ Name: 'drain', ProtocolType: 'HTTP' }))).ApiId as string;
      const { IntegrationId } = await client.send(new CreateIntegrationCommand({ ApiId: httpApi, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: `${upstream.origin}/hang`, PayloadFormatVersion: '1.0' }));
      await client.send(new CreateRouteCommand({ ApiId: httpApi, RouteKey: 'GET /hang', Target: `integrations/${IntegrationId}` }));
      await client.send(new CreateStageCommand({ ApiId: httpApi, StageName: '$default', AutoDeploy: true }));
      const hanging = call(cli.port, httpApi, 'GET', '/hang', { headers: { 'x-upstream-hang': '1' } }).then(
        () => 'answered',
        (err: NodeJS.ErrnoException) => err.code ?? err.message,
      );
      while (!upstream.requests.some((r) => r.path === '/hang')) await new Promise((resolve) => setTimeout(resolve, 5));
      const started = Date.now();
      assert.equal(await cli.stop(), 0);
      assert.equal(await hanging, 'ECONNRESET', 'the connection of the request still running at the deadline is cut');
      const took = Date.now() - started;
      assert.ok(took >= 300 && took < 5000, `the process exited ${took} ms after SIGTERM`);
    } finally {
      client.destroy();
      await cli.stop();
      await upstream.close();
    }
  });
});
