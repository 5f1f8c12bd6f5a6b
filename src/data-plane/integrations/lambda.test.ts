import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IntegrationRecord } from '../../model/resources.js';
import type { LambdaFunctionRef } from '../../model/lambda-arn.js';
import { makeInvocation, type InvocationSpec } from '../../../test/fixtures/lambda/invocation.js';
import { GatewayError } from '../errors.js';
import { FunctionInvokeError, FunctionNotFoundError, FunctionTimeoutError, type FunctionInvoker, type InvokeResult } from '../functions/invoker.js';
import { compileLambdaIntegration } from './lambda.js';

const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:pets';

function record(overrides: Partial<IntegrationRecord> = {}): IntegrationRecord {
  return {
    integrationId: 'int1',
    integrationType: 'AWS_PROXY',
    integrationUri: ARN,
    integrationMethod: 'POST',
    payloadFormatVersion: '2.0',
    timeoutInMillis: 1234,
    connectionType: 'INTERNET',
    createdDate: '2024-01-01T00:00:00Z',
    ...overrides,
  };
}

/** An invoker that records its calls and answers with `answer`. */
function fakeInvoker(answer: (fn: LambdaFunctionRef, event: unknown) => InvokeResult | Promise<InvokeResult>) {
  const calls: { fn: LambdaFunctionRef; event: Record<string, unknown>; options: { timeoutMs: number; requestId: string } }[] = [];
  const invoker: FunctionInvoker = {
    async invoke(fn, event, options) {
      calls.push({ fn, event: event as Record<string, unknown>, options });
      return answer(fn, event);
    },
    async close() {},
  };
  return { invoker, calls };
}

const json = (v: unknown): InvokeResult => ({ payload: Buffer.from(JSON.stringify(v)) });

async function rejection(p: Promise<unknown>): Promise<GatewayError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof GatewayError, String(e));
    return e;
  }
  assert.fail('expected a GatewayError');
}

describe('compileLambdaIntegration', () => {
  const spec: InvocationSpec = { method: 'POST', path: '/dev/pets', stageName: 'dev', routeKey: 'POST /pets', headers: [['content-type', 'application/json']], body: '{"n":1}', stream: true };

  it('sends a 2.0 event with the integration timeout and returns the interpreted response', async () => {
    const { invoker, calls } = fakeInvoker(() => ({ ...json({ statusCode: 201, body: 'ok' }), requestId: 'lambda-req-1' }) as InvokeResult);
    let t = 1000;
    const integration = compileLambdaIntegration(record(), { invoker, now: () => (t += 7) });
    const inv = makeInvocation(spec);
    const res = await integration.invoke(inv);
    assert.deepEqual(res, { statusCode: 201, headers: {}, body: 'ok' });
    assert.equal(calls.length, 1);
    const call = calls[0];
    assert.ok(call);
    assert.deepEqual(call.options, { timeoutMs: 1234, requestId: inv.requestId });
    assert.equal(call.fn.functionName, 'pets');
    assert.equal(call.event.version, '2.0');
    assert.equal(call.event.rawPath, '/dev/pets');
    assert.equal(call.event.body, '{"n":1}');
    assert.equal((call.event.requestContext as { accountId: string }).accountId, '000000000000');
    assert.equal(inv.body?.toString(), '{"n":1}');
    assert.deepEqual(inv.integration, { latencyMs: 7, requestId: 'lambda-req-1', status: 201 });
  });

  it("sends a 1.0 event for payloadFormatVersion 1.0, with the API's account id", async () => {
    const { invoker, calls } = fakeInvoker(() => json({ statusCode: 200, body: 'v1' }));
    const integration = compileLambdaIntegration(record({ payloadFormatVersion: '1.0' }), { invoker });
    assert.equal((await integration.invoke(makeInvocation({ ...spec, accountId: '111122223333' }))).body, 'v1');
    assert.equal(calls[0]?.event.version, '1.0');
    assert.equal(calls[0]?.event.path, '/dev/pets');
    assert.equal((calls[0]?.event.requestContext as { accountId: string }).accountId, '111122223333');
  });

  it('leaves the mapping key out of rawPath when the request came through a custom domain', async () => {
    const { invoker, calls } = fakeInvoker(() => json('x'));
    const integration = compileLambdaIntegration(record(), { invoker, mappingKey: () => 'v1' });
    await integration.invoke(makeInvocation({ path: '/v1/pets' }));
    assert.equal(calls[0]?.event.rawPath, '/pets');
    // By default the key resolve-stage recorded in inv.basePathMatched.
    const inv = { ...makeInvocation({ path: '/orders/v1/pets' }), basePathMatched: 'orders/v1' };
    await compileLambdaIntegration(record(), { invoker }).invoke(inv);
    assert.equal(calls[1]?.event.rawPath, '/pets');
  });

  it('accepts the API Gateway invocation URI form', async () => {
    const { invoker, calls } = fakeInvoker(() => json('x'));
    const uri = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${ARN}:live/invocations`;
    await compileLambdaIntegration(record({ integrationUri: uri }), { invoker }).invoke(makeInvocation());
    assert.deepEqual(calls[0]?.fn, { region: 'us-east-1', accountId: '123456789012', functionName: 'pets', qualifier: 'live', functionArn: `${ARN}:live` });
  });

  it('substitutes ${stageVariables.x} in the function name and alias at invoke time', async () => {
    const { invoker, calls } = fakeInvoker(() => json('x'));
    const uri = 'arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}:${stageVariables.alias}';
    const integration = compileLambdaIntegration(record({ integrationUri: uri }), { invoker });
    await integration.invoke(makeInvocation({ stageVariables: { fn: 'orders', alias: 'beta' } }));
    assert.deepEqual(calls[0]?.fn, {
      region: 'us-east-1',
      accountId: '123456789012',
      functionName: 'orders',
      qualifier: 'beta',
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders:beta',
    });
  });

  it("resolves ${stageVariables.x} once per compiled stage (its frozen variables), again for another stage's", async () => {
    const { invoker, calls } = fakeInvoker(() => json('x'));
    const uri = 'arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}';
    const integration = compileLambdaIntegration(record({ integrationUri: uri }), { invoker });
    const beta = Object.freeze({ fn: 'orders-beta' });
    const prod = Object.freeze({ fn: 'orders-prod' });
    for (const stageVariables of [beta, beta, prod, { fn: 'orders-test' }, { fn: 'orders-test' }]) await integration.invoke(makeInvocation({ stageVariables }));
    assert.deepEqual(calls.map((c) => c.fn.functionName), ['orders-beta', 'orders-beta', 'orders-prod', 'orders-test', 'orders-test']);
    assert.equal(calls[0]?.fn, calls[1]?.fn, 'the same stage: resolved once');
    assert.notEqual(calls[3]?.fn, calls[4]?.fn, 'variables that are not frozen (not a compiled stage) are resolved each time');
  });

  it('a missing stage variable is a 500 without invoking', async () => {
    const { invoker, calls } = fakeInvoker(() => json('x'));
    const uri = 'arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}';
    const e = await rejection(compileLambdaIntegration(record({ integrationUri: uri }), { invoker }).invoke(makeInvocation({ stageVariables: { other: '1' } })));
    assert.equal(e.statusCode, 500);
    assert.match(e.detail ?? '', /stage variable fn not set/);
    assert.equal(calls.length, 0);
  });

  it('a function timeout is 503 Service Unavailable', async () => {
    const { invoker } = fakeInvoker(() => Promise.reject(new FunctionTimeoutError('Function pets timed out after 1234 ms')));
    const inv = makeInvocation();
    const e = await rejection(compileLambdaIntegration(record(), { invoker }).invoke(inv));
    assert.deepEqual([e.statusCode, e.message, e.responseType], [503, 'Service Unavailable', 'INTEGRATION_TIMEOUT']);
    assert.match(inv.integration?.error ?? '', /FunctionTimeoutError: Function pets timed out/);
    assert.equal(inv.integration?.status, undefined);
  });

  for (const error of [new FunctionNotFoundError('Function not found: pets'), new FunctionInvokeError('connection refused'), new Error('surprise')]) {
    it(`${error.name} is 500 Internal Server Error`, async () => {
      const { invoker } = fakeInvoker(() => Promise.reject(error));
      const inv = makeInvocation();
      const e = await rejection(compileLambdaIntegration(record(), { invoker }).invoke(inv));
      assert.deepEqual([e.statusCode, e.message, e.responseType], [500, 'Internal Server Error', 'INTEGRATION_FAILURE']);
      assert.match(e.detail ?? '', new RegExp(error.message));
      assert.ok(inv.integration?.error);
    });
  }

  it('a function error is 500 and recorded in inv.integration.error', async () => {
    const { invoker } = fakeInvoker(() => ({ payload: Buffer.from('{"errorType":"Error","errorMessage":"boom"}'), functionError: 'Unhandled' }));
    const inv = makeInvocation();
    const e = await rejection(compileLambdaIntegration(record(), { invoker }).invoke(inv));
    assert.equal(e.statusCode, 500);
    assert.match(inv.integration?.error ?? '', /Error: boom/);
  });

  it('a body over 10 MB is 413 without invoking', async () => {
    const { invoker, calls } = fakeInvoker(() => json('x'));
    const inv = makeInvocation({ method: 'POST', headers: [['content-length', String(11 * 1024 * 1024)]] });
    const e = await rejection(compileLambdaIntegration(record(), { invoker }).invoke(inv));
    assert.equal(e.statusCode, 413);
    assert.equal(calls.length, 0);
  });

  it('refuses at compile time a URI that names no function, or an unknown payload version', () => {
    const { invoker } = fakeInvoker(() => json('x'));
    assert.throws(() => compileLambdaIntegration(record({ integrationUri: 'https://example.com' }), { invoker }), /not a Lambda function URI/);
    assert.throws(() => compileLambdaIntegration(record({ payloadFormatVersion: '3.0' }), { invoker }), /unsupported payloadFormatVersion 3.0/);
  });
});
