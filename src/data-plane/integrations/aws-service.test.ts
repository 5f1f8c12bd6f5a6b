import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeInvocation } from '../../../test/fixtures/lambda/invocation.js';
import { startAwsStandIn, type AwsStandIn, type RecordedCall } from '../../../test/helpers/aws-stand-in.js';
import { quietLogger } from '../../logger.js';
import type { IntegrationRecord } from '../../model/resources.js';
import { GatewayError } from '../errors.js';
import { AwsServiceClient, NO_ENDPOINT } from './aws-client.js';
import { compileAwsServiceIntegration } from './aws-service.js';

const SERVER_KEY = { accessKeyId: 'AKIDSERVER', secretAccessKey: 'server-secret' };
const ROLE = 'arn:aws:iam::123456789012:role/apigateway-integrations';

const record = (subtype: string, requestParameters: Record<string, string>, extra: Partial<IntegrationRecord> = {}): IntegrationRecord => ({
  integrationId: 'int1234',
  integrationType: 'AWS_PROXY',
  integrationSubtype: subtype,
  payloadFormatVersion: '1.0',
  timeoutInMillis: 2000,
  connectionType: 'INTERNET',
  createdDate: '2024-05-01T12:00:00Z',
  requestParameters,
  ...extra,
});

const request = () =>
  makeInvocation({
    method: 'POST',
    path: '/orders/7',
    headers: [['Content-Type', 'application/json'], ['X-Queue', 'http://sqs.us-east-1.localhost/000000000000/orders'], ['X-Trace', 'Root=1-abc']],
    body: JSON.stringify({ message: 'hello', id: 7, nested: { a: [1, 2] } }),
    pathParameters: { id: '7' },
  });

const form = (call: RecordedCall) => Object.fromEntries(new URLSearchParams(call.body));
const json = (call: RecordedCall) => JSON.parse(call.body) as Record<string, unknown>;

describe('AWS service integrations', () => {
  let aws: AwsStandIn;
  let client: AwsServiceClient;
  before(async () => {
    aws = await startAwsStandIn({ [SERVER_KEY.accessKeyId]: SERVER_KEY.secretAccessKey });
    client = new AwsServiceClient({ endpoint: aws.url, credentials: SERVER_KEY, logger: quietLogger });
  });
  after(async () => {
    await client.close();
    await aws.close();
  });

  /** Calls the integration and returns the response and the one service call it made. */
  async function run(rec: IntegrationRecord, inv = request()) {
    const before = aws.calls.length;
    const response = await compileAwsServiceIntegration(rec, { client }).invoke(inv);
    const calls = aws.calls.slice(before).filter((c) => c.service !== 'sts');
    assert.equal(calls.length, 1, 'one service call');
    const call = calls[0] as RecordedCall;
    assert.equal(call.signature.ok, true, call.signature.ok ? '' : call.signature.message);
    return { response, call, inv };
  }

  // The query protocol: Action/Version form, the queue named by QueueUrl; SQS's XML answer passed through.
  it('SQS-SendMessage: query protocol, mapped body and header, message attributes flattened', async () => {
    const { response, call, inv } = await run(
      record('SQS-SendMessage', {
        QueueUrl: '$request.header.X-Queue',
        MessageBody: '$request.body.message',
        DelaySeconds: '5',
        MessageAttributes: '{"Order": {"DataType": "Number", "StringValue": "${request.path.id}"}}',
      }),
    );
    assert.equal(call.service, 'sqs');
    assert.equal(call.method, 'POST');
    assert.equal(call.headers['content-type']?.[0], 'application/x-www-form-urlencoded; charset=utf-8');
    assert.deepEqual(form(call), {
      Action: 'SendMessage',
      Version: '2012-11-05',
      QueueUrl: 'http://sqs.us-east-1.localhost/000000000000/orders',
      MessageBody: 'hello',
      DelaySeconds: '5',
      'MessageAttribute.1.Name': 'Order',
      'MessageAttribute.1.Value.DataType': 'Number',
      'MessageAttribute.1.Value.StringValue': '7',
    });
    assert.equal(call.signature.ok && call.signature.accessKeyId, SERVER_KEY.accessKeyId, 'no credentialsArn: the server credentials sign');
    assert.equal(call.signature.ok && call.signature.region, 'us-east-1', "signed for the API's region");
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/xml');
    assert.match(String(response.body), /^<\?xml version="1.0"\?><SendMessageResponse /);
    assert.equal(inv.integration?.requestId, 'f3b1c2d4-0000-4000-8000-000000000001');
    assert.equal(inv.integration?.status, 200);
  });

  it('SQS-ReceiveMessage, SQS-DeleteMessage, SQS-PurgeQueue', async () => {
    const receive = await run(record('SQS-ReceiveMessage', { QueueUrl: 'http://q/1', MaxNumberOfMessages: '3', AttributeName: 'All', MessageAttributeNames: '["a","b"]', WaitTimeSeconds: '0' }));
    assert.deepEqual(form(receive.call), {
      Action: 'ReceiveMessage', Version: '2012-11-05', QueueUrl: 'http://q/1', MaxNumberOfMessages: '3', WaitTimeSeconds: '0',
      'AttributeName.1': 'All', 'MessageAttributeName.1': 'a', 'MessageAttributeName.2': 'b',
    });
    const del = await run(record('SQS-DeleteMessage', { QueueUrl: 'http://q/1', ReceiptHandle: '$request.body.id' }));
    assert.deepEqual(form(del.call), { Action: 'DeleteMessage', Version: '2012-11-05', QueueUrl: 'http://q/1', ReceiptHandle: '7' });
    const purge = await run(record('SQS-PurgeQueue', { QueueUrl: 'http://q/1' }));
    assert.deepEqual(form(purge.call), { Action: 'PurgeQueue', Version: '2012-11-05', QueueUrl: 'http://q/1' });
  });

  it('EventBridge-PutEvents: JSON 1.1, AWSEvents.PutEvents, one entry', async () => {
    const { call, response } = await run(
      record('EventBridge-PutEvents', { Source: 'orders', DetailType: 'OrderPlaced', Detail: '$request.body', EventBusName: 'bus', Resources: 'arn:a,arn:b', Time: '2024-05-01T12:00:00Z' }),
    );
    assert.equal(call.service, 'events');
    assert.equal(call.action, 'AWSEvents.PutEvents');
    assert.equal(call.headers['content-type']?.[0], 'application/x-amz-json-1.1');
    assert.deepEqual(json(call), {
      Entries: [{ Source: 'orders', DetailType: 'OrderPlaced', Detail: '{"message":"hello","id":7,"nested":{"a":[1,2]}}', EventBusName: 'bus', Resources: ['arn:a', 'arn:b'], Time: 1714564800 }],
    });
    assert.equal(response.headers['content-type'], 'application/x-amz-json-1.1');
    assert.equal(String(response.body), '{"ok":true}');
  });

  it('Kinesis-PutRecord: JSON 1.1, the Data blob base64-encoded', async () => {
    const { call } = await run(record('Kinesis-PutRecord', { StreamName: 'clicks', Data: '$request.body.nested', PartitionKey: '$request.path.id' }));
    assert.equal(call.service, 'kinesis');
    assert.equal(call.action, 'Kinesis_20131202.PutRecord');
    assert.deepEqual(json(call), { StreamName: 'clicks', PartitionKey: '7', Data: Buffer.from('{"a":[1,2]}').toString('base64') });
  });

  it('StepFunctions-StartExecution, StartSyncExecution, StopExecution: JSON 1.0', async () => {
    const start = await run(record('StepFunctions-StartExecution', { StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:orders', Input: '$request.body', Name: 'order-${request.path.id}' }));
    assert.equal(start.call.service, 'states');
    assert.equal(start.call.action, 'AWSStepFunctions.StartExecution');
    assert.equal(start.call.headers['content-type']?.[0], 'application/x-amz-json-1.0');
    assert.deepEqual(json(start.call), { stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:orders', name: 'order-7', input: '{"message":"hello","id":7,"nested":{"a":[1,2]}}' });
    const sync = await run(record('StepFunctions-StartSyncExecution', { StateMachineArn: 'arn:sm', TraceHeader: '$request.header.X-Trace' }));
    assert.equal(sync.call.action, 'AWSStepFunctions.StartSyncExecution');
    assert.deepEqual(json(sync.call), { stateMachineArn: 'arn:sm', traceHeader: 'Root=1-abc' });
    const stop = await run(record('StepFunctions-StopExecution', { ExecutionArn: 'arn:exec', Cause: 'cancelled', Error: 'E1' }));
    assert.equal(stop.call.action, 'AWSStepFunctions.StopExecution');
    assert.deepEqual(json(stop.call), { executionArn: 'arn:exec', cause: 'cancelled', error: 'E1' });
  });

  it('AppConfig-GetConfiguration: REST GET with client_id; the configuration and its content type come back', async () => {
    const { call, response } = await run(record('AppConfig-GetConfiguration', { Application: 'shop', Environment: 'prod', Configuration: 'flags', ClientId: '$context.requestId', ClientConfigurationVersion: '2' }));
    assert.equal(call.service, 'appconfig');
    assert.equal(call.method, 'GET');
    assert.equal(call.path, '/applications/shop/environments/prod/configurations/flags');
    assert.deepEqual(Object.fromEntries(new URLSearchParams(call.query)), { client_id: 'Mc7UVioPPHcEKPA=', client_configuration_version: '2' });
    assert.equal(response.headers['content-type'], 'application/json');
    assert.equal(String(response.body), '{"feature":true}');
  });

  it('Region picks the signing region', async () => {
    const { call } = await run(record('SQS-PurgeQueue', { QueueUrl: 'http://q/1', Region: 'eu-west-1' }));
    assert.equal(call.signature.ok && call.signature.region, 'eu-west-1');
  });

  it("the service's error answer is passed through (status, body, content type)", async () => {
    aws.answer('kinesis', () => ({ status: 400, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: '{"__type":"ResourceNotFoundException","message":"Stream clicks not found"}' }));
    try {
      const { response, inv } = await run(record('Kinesis-PutRecord', { StreamName: 'clicks', Data: 'x', PartitionKey: 'p' }));
      assert.equal(response.statusCode, 400);
      assert.equal(String(response.body), '{"__type":"ResourceNotFoundException","message":"Stream clicks not found"}');
      assert.equal(inv.integration?.status, 400);
    } finally {
      aws.answer('kinesis', () => ({ status: 200, body: '{}' }));
    }
  });

  it('credentialsArn: assumed through STS AssumeRole (cached), the call signed with the session credentials', async () => {
    const stsBefore = aws.calls.filter((c) => c.service === 'sts').length;
    const rec = record('SQS-PurgeQueue', { QueueUrl: 'http://q/1' }, { credentialsArn: ROLE });
    const first = await run(rec);
    const second = await run(rec);
    const sts = aws.calls.filter((c) => c.service === 'sts').slice(stsBefore);
    assert.equal(sts.length, 1, 'one AssumeRole for two calls');
    assert.equal(sts[0]?.signature.ok && sts[0].signature.accessKeyId, SERVER_KEY.accessKeyId, 'the server credentials sign AssumeRole');
    assert.deepEqual(
      { Action: form(sts[0] as RecordedCall).Action, RoleArn: form(sts[0] as RecordedCall).RoleArn, Version: form(sts[0] as RecordedCall).Version },
      { Action: 'AssumeRole', RoleArn: ROLE, Version: '2011-06-15' },
    );
    for (const { call } of [first, second]) {
      assert.equal(call.signature.ok && call.signature.accessKeyId, 'ASIATEMPORARY');
      assert.equal(call.headers['x-amz-security-token']?.[0], 'token&1');
    }
  });

  it('an endpoint without STS: the server credentials are used (logged once)', async () => {
    const other = await startAwsStandIn({ [SERVER_KEY.accessKeyId]: SERVER_KEY.secretAccessKey });
    other.answer('sts', () => ({ status: 404, body: 'no such service' }));
    const noSts = new AwsServiceClient({ endpoint: other.url, credentials: SERVER_KEY, logger: quietLogger });
    try {
      const integration = compileAwsServiceIntegration(record('SQS-PurgeQueue', { QueueUrl: 'http://q/1' }, { credentialsArn: ROLE }), { client: noSts });
      await integration.invoke(request());
      await integration.invoke(request());
      assert.deepEqual(other.calls.map((c) => c.service), ['sts', 'sqs', 'sqs']);
      assert.equal(other.calls[1]?.signature.ok && other.calls[1].signature.accessKeyId, SERVER_KEY.accessKeyId);
    } finally {
      await noSts.close();
      await other.close();
    }
  });

  it('a role STS refuses: 500, the reason in $context.integration.error', async () => {
    aws.answer('sts', () => ({ status: 403, headers: { 'content-type': 'text/xml' }, body: '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not assumable</Message></Error></ErrorResponse>' }));
    try {
      const inv = request();
      await assert.rejects(compileAwsServiceIntegration(record('SQS-PurgeQueue', { QueueUrl: 'http://q/1' }, { credentialsArn: 'arn:aws:iam::123456789012:role/other' }), { client }).invoke(inv), (e: unknown) => {
        assert.ok(e instanceof GatewayError);
        assert.equal(e.statusCode, 500);
        return true;
      });
      assert.equal(inv.integration?.error, 'SQS-PurgeQueue: STS AssumeRole of arn:aws:iam::123456789012:role/other answered 403 AccessDenied: not assumable');
    } finally {
      aws.answer('sts', () => ({ status: 500, body: 'unexpected' }));
    }
  });

  it('a service slower than timeoutInMillis: 503', async () => {
    aws.answer('events', () => ({ status: 200, body: '{}', delayMs: 500 }));
    const inv = request();
    await assert.rejects(
      compileAwsServiceIntegration(record('EventBridge-PutEvents', { Source: 's', DetailType: 'd', Detail: '{}' }, { timeoutInMillis: 100 }), { client }).invoke(inv),
      (e: unknown) => e instanceof GatewayError && e.statusCode === 503,
    );
    assert.match(inv.integration?.error ?? '', /did not answer within/);
  });

  it('a Region that is not a region never reaches a URL: 500', async () => {
    const inv = makeInvocation({ headers: [['X-Region', 'evil.example.com/x#']] });
    await assert.rejects(compileAwsServiceIntegration(record('SQS-PurgeQueue', { QueueUrl: 'q', Region: '$request.header.X-Region' }), { client }).invoke(inv), (e: unknown) => e instanceof GatewayError && e.statusCode === 500);
    assert.equal(inv.integration?.error, 'SQS-PurgeQueue: Region "evil.example.com/x#" is not an AWS region');
  });

  it('refused at compile time (the route answers 500): missing required or unknown parameters, no endpoint, no credentials', () => {
    assert.throws(() => compileAwsServiceIntegration(record('SQS-SendMessage', { QueueUrl: 'q' }), { client }), /SQS-SendMessage requires the parameter MessageBody$/);
    assert.throws(() => compileAwsServiceIntegration(record('SQS-PurgeQueue', { QueueUrl: 'q', Queue: 'x' }), { client }), /SQS-PurgeQueue takes no parameter Queue/);
    const none = new AwsServiceClient({ endpoint: undefined, credentials: SERVER_KEY, logger: quietLogger });
    assert.throws(() => compileAwsServiceIntegration(record('SQS-PurgeQueue', { QueueUrl: 'q' }), { client: none }), (e: unknown) => e instanceof Error && e.message.endsWith(NO_ENDPOINT));
    const anonymous = new AwsServiceClient({ endpoint: 'aws', credentials: undefined, logger: quietLogger });
    assert.throws(() => compileAwsServiceIntegration(record('SQS-PurgeQueue', { QueueUrl: 'q' }), { client: anonymous }), /set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  });

  it('--aws-endpoint aws: the regional endpoints of each service', () => {
    const real = new AwsServiceClient({ endpoint: 'aws', credentials: SERVER_KEY, logger: quietLogger });
    const url = (service: string, hostPrefix?: string) => real.urlOf({ service, ...(hostPrefix ? { hostPrefix } : {}), method: 'POST', path: '/', headers: {}, body: '' }, 'eu-west-1').href;
    assert.equal(url('sqs'), 'https://sqs.eu-west-1.amazonaws.com/');
    assert.equal(url('events'), 'https://events.eu-west-1.amazonaws.com/');
    assert.equal(url('states', 'sync-'), 'https://sync-states.eu-west-1.amazonaws.com/');
    assert.equal(url('sts'), 'https://sts.eu-west-1.amazonaws.com/');
  });
});
