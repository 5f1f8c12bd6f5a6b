import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../logger.js';
import type { Invocation } from '../invocation.js';
import { logFailure } from './failure-log.js';

const T0 = new Date(2026, 0, 2, 3, 4, 5, 6).getTime();
const STACK = 'Error: database is down\n    at handler (file:///app/orders.mjs:4:9)';

/** A finished HTTP invocation that failed with `error`. */
function invocation(error?: { message: string; responseType: string; detail?: string; trace?: string }): Invocation {
  return {
    requestId: 'req-1',
    request: { method: 'GET', path: '/orders' },
    incoming: { url: '/_aws/execute-api/a1b2c3d4e5/orders' },
    stage: { apiId: 'a1b2c3d4e5', stageName: '$default' },
    route: { routeKey: 'GET /orders', integrationLabel: 'AWS_PROXY orders' },
    ...(error ? { error } : {}),
  } as unknown as Invocation;
}

/** What `logFailure` writes in `format`. */
function written(format: 'pretty' | 'json', inv: Invocation, status: number): string {
  let out = '';
  logFailure(createLogger({ format, stream: { write: (t: string) => (out += t) }, now: () => T0 }), inv, status);
  return out;
}

describe('failure log', () => {
  const failed = invocation({ message: 'Internal Server Error', responseType: 'INTEGRATION_FAILURE', detail: 'Lambda function error (Unhandled): Error: database is down', trace: STACK });

  it('pretty: one line naming the cause, API, stage, route and integration; the stack indented below', () => {
    assert.equal(
      written('pretty', failed, 500),
      '03:04:05.006 ERROR integration failed: Lambda function error (Unhandled): Error: database is down status=500 api=a1b2c3d4e5 stage=$default route="GET /orders" integration="AWS_PROXY orders" method=GET path=/_aws/execute-api/a1b2c3d4e5/orders requestId=req-1\n' +
        '    Error: database is down\n' +
        '        at handler (file:///app/orders.mjs:4:9)\n',
    );
  });

  it('json: one object with the same fields', () => {
    assert.deepEqual(JSON.parse(written('json', failed, 500)), {
      time: new Date(T0).toISOString(),
      level: 'error',
      message: 'integration failed: Lambda function error (Unhandled): Error: database is down',
      status: 500,
      api: 'a1b2c3d4e5',
      stage: '$default',
      route: 'GET /orders',
      integration: 'AWS_PROXY orders',
      method: 'GET',
      path: '/_aws/execute-api/a1b2c3d4e5/orders',
      requestId: 'req-1',
      stack: STACK,
    });
  });

  it('says what failed: authorizer, timeout, or the gateway itself', () => {
    const message = (responseType: string) => (JSON.parse(written('json', invocation({ message: 'x', responseType, detail: 'why' }), 500)) as { message: string }).message;
    assert.equal(message('AUTHORIZER_FAILURE'), 'authorizer failed: why');
    assert.equal(message('INTEGRATION_TIMEOUT'), 'integration timed out: why');
    assert.equal(message('API_CONFIGURATION_ERROR'), 'gateway error: why');
  });

  it('logs nothing below 500, nor for a response the integration made', () => {
    assert.equal(written('json', invocation({ message: 'Not Found', responseType: 'NOT_FOUND' }), 404), '');
    assert.equal(written('json', invocation(), 500), '');
  });
});
