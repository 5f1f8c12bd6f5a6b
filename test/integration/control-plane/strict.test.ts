/**
 * `--strict` refuses, with a 400 naming the member, configuration AWS accepts but Gatehouse would
 * store without acting on (src/model/not-acted-on.ts); what AWS itself ignores stays accepted, and
 * nothing is written by a refused request. Without `--strict` the same writes succeed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiCommand,
  CreateDomainNameCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
  GetIntegrationsCommand,
} from '@aws-sdk/client-apigatewayv2';
import { rejectsAws } from '../../helpers/assert-aws.js';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';

const SQS = {
  IntegrationType: 'AWS_PROXY' as const,
  IntegrationSubtype: 'SQS-SendMessage',
  PayloadFormatVersion: '1.0',
  CredentialsArn: 'arn:aws:iam::123456789012:role/apigw',
  RequestParameters: { QueueUrl: '$request.header.queueUrl', MessageBody: '$request.body.message' },
};

const LAMBDA_MAPPED = {
  IntegrationType: 'AWS_PROXY' as const,
  IntegrationUri: 'arn:aws:lambda:us-east-1:123456789012:function:pets',
  PayloadFormatVersion: '2.0',
  RequestParameters: { 'append:header.x-source': 'gatehouse' },
};

describe('--strict', () => {
  let strict: TestServer;
  let lenient: TestServer;
  before(async () => {
    strict = await startServer({ args: ['--strict'] });
    lenient = await startServer({ env: { GATEHOUSE_STRICT: 'false' } });
  });
  after(async () => {
    await strict.close();
    await lenient.close();
  });

  it('refuses request parameters on a Lambda integration, which Gatehouse does not map; nothing is written', async () => {
    const apiId = (await strict.client.send(new CreateApiCommand({ Name: 's', ProtocolType: 'HTTP' }))).ApiId;
    const integration = (await strict.client.send(new GetIntegrationsCommand({ ApiId: apiId }))).Items?.length;
    await rejectsAws(strict.client.send(new CreateIntegrationCommand({ ApiId: apiId, ...LAMBDA_MAPPED })), 'BadRequestException', /^Gatehouse runs with --strict and does not act on integration [a-z0-9]{7} requestParameters: request parameter mapping into Lambda events is not implemented/, 400);
    assert.equal((await strict.client.send(new GetIntegrationsCommand({ ApiId: apiId }))).Items?.length, integration, 'nothing was written');
    const other = (await lenient.client.send(new CreateApiCommand({ Name: 'l', ProtocolType: 'HTTP' }))).ApiId;
    assert.ok((await lenient.client.send(new CreateIntegrationCommand({ ApiId: other, ...LAMBDA_MAPPED }))).IntegrationId, 'accepted without --strict');
  });

  it('accepts AWS service integrations: Gatehouse calls them (500 naming --aws-endpoint when it is not set)', async () => {
    const apiId = (await strict.client.send(new CreateApiCommand({ Name: 'q', ProtocolType: 'HTTP' }))).ApiId;
    assert.equal((await strict.client.send(new CreateIntegrationCommand({ ApiId: apiId, ...SQS }))).IntegrationSubtype, 'SQS-SendMessage');
  });

  it('refuses API keys on WebSocket message routes, execution logs and mutual TLS; accepts what AWS ignores too, and API keys on $connect', async () => {
    const ws = (await strict.client.send(new CreateApiCommand({ Name: 'ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId;
    await rejectsAws(
      strict.client.send(new CreateRouteCommand({ ApiId: ws, RouteKey: 'sendmessage', ApiKeyRequired: true })),
      'BadRequestException',
      'Gatehouse runs with --strict and does not act on route sendmessage apiKeyRequired: API keys are checked on $connect only: messages to the route are not checked',
    );
    // Gatehouse checks API keys on $connect (--api-keys): no longer a gap.
    assert.equal((await strict.client.send(new CreateRouteCommand({ ApiId: ws, RouteKey: '$connect', ApiKeyRequired: true }))).ApiKeyRequired, true);
    await rejectsAws(
      strict.client.send(new CreateStageCommand({ ApiId: ws, StageName: 'logs', DefaultRouteSettings: { LoggingLevel: 'INFO' } })),
      'BadRequestException',
      /^Gatehouse runs with --strict and does not act on stage logs defaultRouteSettings loggingLevel\/dataTraceEnabled: no CloudWatch execution logs/,
    );
    await rejectsAws(
      strict.client.send(new CreateDomainNameCommand({ DomainName: 'mtls.example.com', MutualTlsAuthentication: { TruststoreUri: 's3://bucket/truststore.pem' } })),
      'BadRequestException',
      /^Gatehouse runs with --strict and does not act on domain name mtls\.example\.com mutualTlsAuthentication/,
    );
    // HTTP APIs ignore API keys on AWS too: accepted under --strict.
    const http = (await strict.client.send(new CreateApiCommand({ Name: 'h', ProtocolType: 'HTTP' }))).ApiId;
    assert.equal((await strict.client.send(new CreateRouteCommand({ ApiId: http, RouteKey: 'GET /k', ApiKeyRequired: true }))).ApiKeyRequired, true);
  });
});
