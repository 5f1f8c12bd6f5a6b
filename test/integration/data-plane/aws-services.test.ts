/**
 * AWS service integrations end to end: an HTTP API built through the SDK, called through real
 * sockets, its integration calling a local stand-in for AWS (--aws-endpoint) that records and
 * verifies the signed request.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { startAwsStandIn, type AwsStandIn } from '../../helpers/aws-stand-in.js';
import { call } from '../../helpers/data-plane.js';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';

const SERVER_KEY = { AWS_ACCESS_KEY_ID: 'AKIDSERVER', AWS_SECRET_ACCESS_KEY: 'server-secret' };

async function sqsApi(s: TestServer, credentialsArn?: string): Promise<string> {
  const apiId = (await s.client.send(new CreateApiCommand({ Name: 'orders', ProtocolType: 'HTTP' }))).ApiId as string;
  const { IntegrationId } = await s.client.send(
    new CreateIntegrationCommand({
      ApiId: apiId,
      IntegrationType: 'AWS_PROXY',
      IntegrationSubtype: 'SQS-SendMessage',
      PayloadFormatVersion: '1.0',
      ...(credentialsArn ? { CredentialsArn: credentialsArn } : {}),
      RequestParameters: { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/orders', MessageBody: '$request.body' },
    }),
  );
  await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'POST /orders', Target: `integrations/${IntegrationId}` }));
  await s.client.send(
    new CreateStageCommand({
      ApiId: apiId,
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: 'arn:aws:logs:us-east-1:123456789012:log-group:orders', Format: '$context.requestId $context.status $context.integration.status [$context.integration.error]' },
    }),
  );
  return apiId;
}

describe('data plane: AWS service integrations', () => {
  let aws: AwsStandIn;
  let s: TestServer;
  let unset: TestServer;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-aws-'));
    aws = await startAwsStandIn({ [SERVER_KEY.AWS_ACCESS_KEY_ID]: SERVER_KEY.AWS_SECRET_ACCESS_KEY });
    s = await startServer({ args: ['--aws-endpoint', aws.url, '--access-log', join(dir, 'with.log')], env: SERVER_KEY });
    unset = await startServer({ args: ['--access-log', join(dir, 'without.log')], env: SERVER_KEY });
  });
  after(async () => {
    await Promise.all([s.close(), unset.close()]);
    await aws.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('SQS-SendMessage: the signed SendMessage reaches the endpoint, with the role assumed through STS; SQS answers the client', async () => {
    const apiId = await sqsApi(s, 'arn:aws:iam::123456789012:role/apigateway-sqs');
    const res = await call(s.gatehouse.port, apiId, 'POST', '/orders', { headers: { 'content-type': 'application/json' }, body: '{"item":"book"}' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['content-type'], 'text/xml');
    assert.match(res.text, /<SendMessageResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/">/);
    const [sts, sqs] = aws.calls.slice(-2);
    assert.equal(sts?.service, 'sts');
    assert.equal(sts?.action, 'AssumeRole');
    assert.equal(sqs?.service, 'sqs');
    assert.equal(sqs?.action, 'SendMessage');
    assert.equal(new URLSearchParams(sqs?.body).get('MessageBody'), '{"item":"book"}');
    assert.equal(new URLSearchParams(sqs?.body).get('QueueUrl'), 'https://sqs.us-east-1.amazonaws.com/123456789012/orders');
    assert.ok(sqs?.signature.ok && sqs.signature.accessKeyId === 'ASIATEMPORARY' && sqs.signature.service === 'sqs', JSON.stringify(sqs?.signature));
  });

  it('without --aws-endpoint: 500, the setting to add in $context.integration.error', async () => {
    const apiId = await sqsApi(unset);
    const res = await call(unset.gatehouse.port, apiId, 'POST', '/orders', { body: 'x' });
    assert.equal(res.status, 500);
    assert.equal(res.text, '{"message":"Internal Server Error"}');
    await new Promise((r) => setTimeout(r, 100));
    const line = readFileSync(join(dir, 'without.log'), 'utf8').split('\n').find((l) => l.startsWith(`${String(res.headers['apigw-requestid'])} `));
    assert.match(line ?? '', / 500 - \[Integration \w+ \(SQS-SendMessage\): AWS service integrations need --aws-endpoint \(GATEHOUSE_AWS_ENDPOINT\): "aws" to call the real AWS endpoints/);
  });
});
