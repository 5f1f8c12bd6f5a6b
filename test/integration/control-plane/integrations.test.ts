import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  DeleteIntegrationCommand,
  DeleteRouteCommand,
  GetIntegrationCommand,
  GetIntegrationsCommand,
  UpdateIntegrationCommand,
} from '@aws-sdk/client-apigatewayv2';
import { rejectsAws } from '../../helpers/assert-aws.js';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';

const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:pets';
const INVOCATION = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${LAMBDA}/invocations`;

describe('Integrations', () => {
  let s: TestServer;
  let httpApi: string;
  let wsApi: string;
  before(async () => {
    s = await startServer();
    httpApi = (await s.client.send(new CreateApiCommand({ Name: 'http', ProtocolType: 'HTTP' }))).ApiId as string;
    wsApi = (await s.client.send(new CreateApiCommand({ Name: 'ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId as string;
  });
  after(() => s.close());

  it('CreateIntegration Lambda proxy echoes AWS defaults, both URI forms', async () => {
    for (const uri of [LAMBDA, INVOCATION, 'arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}']) {
      const i = await s.client.send(new CreateIntegrationCommand({ ApiId: httpApi, IntegrationType: 'AWS_PROXY', IntegrationUri: uri, PayloadFormatVersion: '2.0' }));
      assert.match(i.IntegrationId ?? '', /^[a-z0-9]{7}$/);
      assert.equal(i.IntegrationUri, uri);
      assert.equal(i.IntegrationMethod, 'POST');
      assert.equal(i.ConnectionType, 'INTERNET');
      assert.equal(i.TimeoutInMillis, 30000);
      assert.equal(i.PayloadFormatVersion, '2.0');
    }
  });

  it('CreateIntegration HTTP proxy with mappings, TLS config and timeout', async () => {
    const i = await s.client.send(
      new CreateIntegrationCommand({
        ApiId: httpApi, IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://backend.example.com/{proxy}', IntegrationMethod: 'ANY',
        TimeoutInMillis: 5000, Description: 'backend', TlsConfig: { ServerNameToVerify: 'backend.example.com' },
        RequestParameters: { 'append:header.x-tenant': '$context.authorizer.tenant', 'overwrite:path': '/$request.path.proxy', 'remove:querystring.debug': "''" },
        ResponseParameters: { '404': { 'overwrite:statuscode': '410' }, '200': { 'append:header.x-served-by': 'gatehouse' } },
      }),
    );
    assert.equal(i.PayloadFormatVersion, '1.0');
    assert.equal(i.TimeoutInMillis, 5000);
    assert.deepEqual(i.TlsConfig, { ServerNameToVerify: 'backend.example.com' });
    assert.deepEqual(i.ResponseParameters, { '404': { 'overwrite:statuscode': '410' }, '200': { 'append:header.x-served-by': 'gatehouse' } });
    const got = await s.client.send(new GetIntegrationCommand({ ApiId: httpApi, IntegrationId: i.IntegrationId }));
    assert.deepEqual(got.RequestParameters, i.RequestParameters);
  });

  it('CreateIntegration HTTP API rules', async () => {
    const cases: [Record<string, unknown>, string | RegExp][] = [
      // AWS's text (aws/aws-cli#6363).
      [{ IntegrationType: 'MOCK' }, 'Currently, an API with a protocol type of HTTP may only be associated with proxy integrations (AWS_PROXY, HTTP_PROXY)'],
      [{ IntegrationType: 'AWS_PROXY', IntegrationUri: LAMBDA }, 'payloadFormatVersion is required for AWS_PROXY integrations of HTTP APIs'],
      [{ IntegrationType: 'AWS_PROXY', IntegrationUri: 'https://x.example', PayloadFormatVersion: '2.0' }, /^Invalid integrationUri https:\/\/x\.example: a Lambda integration takes a function ARN/],
      [{ IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://x.example' }, 'integrationMethod is required for HTTP_PROXY integrations'],
      [{ IntegrationType: 'HTTP_PROXY', IntegrationUri: 'ftp://x.example', IntegrationMethod: 'GET' }, 'Invalid integrationUri ftp://x.example: must be an absolute http or https URL'],
      [{ IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://x.example', IntegrationMethod: 'GET', PayloadFormatVersion: '2.0' }, 'HTTP_PROXY integrations support only payloadFormatVersion 1.0'],
      [{ IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://x.example', IntegrationMethod: 'GET', RequestParameters: { 'overwrite:header.Authorization': 'x' } }, 'Invalid requestParameters: the header Authorization is reserved and cannot be mapped'],
      [{ IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://x.example', IntegrationMethod: 'GET', RequestParameters: { 'set:header.a': 'x' } }, /^Invalid requestParameters: invalid mapping key set:header\.a/],
      [{ IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://x.example', IntegrationMethod: 'GET', ResponseParameters: { '100': { 'overwrite:statuscode': '200' } } }, 'Invalid responseParameters key 100: must be a status code 200-599'],
      [{ IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://x.example', IntegrationMethod: 'GET', ResponseParameters: { '200': { 'overwrite:header.x-amzn-foo': 'a' } } }, 'Invalid responseParameters: the header x-amzn-foo is reserved and cannot be mapped'],
      [{ IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://x.example', IntegrationMethod: 'GET', ConnectionType: 'VPC_LINK' }, 'connectionId is required when connectionType is VPC_LINK'],
      [{ IntegrationType: 'AWS_PROXY', IntegrationSubtype: 'SQS-SendMessage', PayloadFormatVersion: '1.0' }, 'requestParameters are required for integration subtype SQS-SendMessage'],
      [{ IntegrationType: 'AWS_PROXY', IntegrationSubtype: 'S3-PutObject', PayloadFormatVersion: '1.0', RequestParameters: { a: 'b' } }, /^Invalid integrationSubtype S3-PutObject: must be one of EventBridge-PutEvents/],
      [{ IntegrationType: 'AWS_PROXY', IntegrationUri: LAMBDA, PayloadFormatVersion: '2.0', TimeoutInMillis: 40 }, "1 validation error detected: Value '40' at 'timeoutInMillis' failed to satisfy constraint: Member must have value greater than or equal to 50"],
      [{ IntegrationType: 'AWS_PROXY', IntegrationUri: LAMBDA, PayloadFormatVersion: '3.0' }, 'Invalid payloadFormatVersion 3.0: must be 1.0 or 2.0'],
    ];
    for (const [input, message] of cases) {
      await rejectsAws(s.client.send(new CreateIntegrationCommand({ ApiId: httpApi, ...input } as never)), 'BadRequestException', message, 400);
    }
    const sqs = await s.client.send(
      new CreateIntegrationCommand({
        ApiId: httpApi, IntegrationType: 'AWS_PROXY', IntegrationSubtype: 'SQS-SendMessage', PayloadFormatVersion: '1.0',
        CredentialsArn: 'arn:aws:iam::123456789012:role/apigw', RequestParameters: { QueueUrl: '$request.header.queueUrl', MessageBody: '$request.body.message' },
      }),
    );
    assert.equal(sqs.IntegrationSubtype, 'SQS-SendMessage');
    // passthroughBehavior is accepted on HTTP APIs and not kept (terraform-provider-aws integration_test.go basicHTTP).
    const lambda = await s.client.send(new CreateIntegrationCommand({ ApiId: httpApi, IntegrationType: 'AWS_PROXY', IntegrationUri: LAMBDA, PayloadFormatVersion: '2.0', PassthroughBehavior: 'NEVER' }));
    assert.equal(lambda.PassthroughBehavior, undefined);
  });

  it('CreateIntegration WebSocket types and defaults', async () => {
    const mock = await s.client.send(new CreateIntegrationCommand({ ApiId: wsApi, IntegrationType: 'MOCK', RequestTemplates: { $default: '{"statusCode":200}' }, TemplateSelectionExpression: '\\$default' }));
    assert.equal(mock.PassthroughBehavior, 'WHEN_NO_MATCH');
    assert.equal(mock.IntegrationResponseSelectionExpression, '${integration.response.statuscode}');
    assert.equal(mock.PayloadFormatVersion, '1.0');
    assert.equal(mock.TimeoutInMillis, 29000);
    const proxy = await s.client.send(new CreateIntegrationCommand({ ApiId: wsApi, IntegrationType: 'AWS_PROXY', IntegrationUri: INVOCATION, ContentHandlingStrategy: 'CONVERT_TO_TEXT' }));
    assert.equal(proxy.PassthroughBehavior, undefined);
    assert.equal(proxy.ContentHandlingStrategy, 'CONVERT_TO_TEXT');
    const http = await s.client.send(
      new CreateIntegrationCommand({ ApiId: wsApi, IntegrationType: 'HTTP', IntegrationUri: 'https://x.example', IntegrationMethod: 'POST', RequestParameters: { 'integration.request.header.x-conn': 'context.connectionId' } }),
    );
    assert.deepEqual(http.RequestParameters, { 'integration.request.header.x-conn': 'context.connectionId' });
    const cases: [Record<string, unknown>, string][] = [
      [{ IntegrationType: 'AWS_PROXY', IntegrationUri: LAMBDA, TimeoutInMillis: 29500 }, 'Invalid timeoutInMillis 29500: must be between 50 and 29000 milliseconds for WebSocket APIs'],
      [{ IntegrationType: 'AWS_PROXY', IntegrationUri: LAMBDA, PayloadFormatVersion: '2.0' }, 'WebSocket APIs support only payloadFormatVersion 1.0'],
      [{ IntegrationType: 'HTTP', IntegrationUri: 'https://x.example' }, 'integrationMethod is required for HTTP integrations'],
      [{ IntegrationType: 'MOCK', RequestParameters: { 'header.a': 'context.x' } }, 'Invalid requestParameters key header.a: must be integration.request.header|querystring|path.{name}'],
    ];
    for (const [input, message] of cases) {
      await rejectsAws(s.client.send(new CreateIntegrationCommand({ ApiId: wsApi, ...input } as never)), 'BadRequestException', message);
    }
  });

  it('UpdateIntegration merges mappings; an empty value removes one', async () => {
    const i = await s.client.send(
      new CreateIntegrationCommand({
        ApiId: httpApi, IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://x.example', IntegrationMethod: 'GET',
        RequestParameters: { 'overwrite:header.a': '1', 'overwrite:header.b': '2' }, ResponseParameters: { '200': { 'overwrite:header.c': '3' } },
      }),
    );
    const updated = await s.client.send(
      new UpdateIntegrationCommand({
        ApiId: httpApi, IntegrationId: i.IntegrationId, RequestParameters: { 'overwrite:header.a': '', 'overwrite:header.d': '4' },
        ResponseParameters: { '200': {} }, TimeoutInMillis: 1000,
      }),
    );
    assert.deepEqual(updated.RequestParameters, { 'overwrite:header.b': '2', 'overwrite:header.d': '4' });
    // A status code's mappings are replaced whole; {} is stored and echoed (terraform-provider-aws removes them so).
    assert.deepEqual(updated.ResponseParameters, { '200': {} });
    assert.equal(updated.TimeoutInMillis, 1000);
    assert.equal(updated.IntegrationUri, 'https://x.example');
    await rejectsAws(
      s.client.send(new CreateIntegrationCommand({ ApiId: httpApi, IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://x.example', IntegrationMethod: 'GET', RequestParameters: { 'overwrite:header.a': '' } })),
      'BadRequestException',
      /at 'requestParameters\.overwrite:header\.a\.value' failed to satisfy constraint: Member must have length greater than or equal to 1/,
    );
    await rejectsAws(
      s.client.send(new UpdateIntegrationCommand({ ApiId: httpApi, IntegrationId: i.IntegrationId, IntegrationType: 'MOCK' })),
      'BadRequestException',
      'Currently, an API with a protocol type of HTTP may only be associated with proxy integrations (AWS_PROXY, HTTP_PROXY)',
    );
  });

  it('DeleteIntegration is refused while a route targets it; 404s name the integration', async () => {
    const i = await s.client.send(new CreateIntegrationCommand({ ApiId: httpApi, IntegrationType: 'AWS_PROXY', IntegrationUri: LAMBDA, PayloadFormatVersion: '1.0' }));
    const route = await s.client.send(new CreateRouteCommand({ ApiId: httpApi, RouteKey: 'GET /used', Target: `integrations/${i.IntegrationId}` }));
    await rejectsAws(
      s.client.send(new DeleteIntegrationCommand({ ApiId: httpApi, IntegrationId: i.IntegrationId })),
      'ConflictException',
      `Cannot delete integration '${i.IntegrationId}', is referenced in route: GET /used`,
      409,
    );
    await s.client.send(new DeleteRouteCommand({ ApiId: httpApi, RouteId: route.RouteId }));
    await s.client.send(new DeleteIntegrationCommand({ ApiId: httpApi, IntegrationId: i.IntegrationId }));
    await rejectsAws(s.client.send(new GetIntegrationCommand({ ApiId: httpApi, IntegrationId: i.IntegrationId })), 'NotFoundException', `Invalid Integration identifier specified ${i.IntegrationId}`);
    const { Items } = await s.client.send(new GetIntegrationsCommand({ ApiId: httpApi }));
    assert.ok(!Items?.some((x) => x.IntegrationId === i.IntegrationId));
  });
});
