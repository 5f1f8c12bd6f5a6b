import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { paint } from '../../logger.js';
import type { Invocation } from '../invocation.js';
import { createRequestLog, jsonRequestLine, prettyRequestLine, requestLogEntry } from './request-log.js';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 6);

/** A finished invocation with the parts a test names. */
function invocation(parts: { status: number; route?: object; stage?: boolean; authorizer?: object; integrationRan?: boolean; error?: { message: string; detail?: string } }): Invocation {
  return {
    requestId: 'req-1',
    requestTimeEpoch: T0 - 12,
    responseEnd: T0,
    request: { method: 'GET', path: '/pets/1' },
    incoming: { url: '/_aws/execute-api/a1b2c3d4e5/pets/1?x=1' },
    response: { statusCode: parts.status, headers: {} },
    ...(parts.stage === false ? {} : { stage: { apiId: 'a1b2c3d4e5', stageName: 'prod' } }),
    ...(parts.route ? { route: parts.route } : {}),
    ...(parts.authorizer ? { authorizer: parts.authorizer } : {}),
    ...(parts.integrationRan ? { integration: { status: parts.status, latencyMs: 3 } } : {}),
    ...(parts.error ? { error: { ...parts.error, responseType: 'X' } } : {}),
  } as unknown as Invocation;
}

const route = (authorizationType: string, integrationLabel?: string) => ({ routeKey: 'GET /pets/{id}', route: { authorizationType }, ...(integrationLabel ? { integrationLabel } : {}) });
const lambda = 'AWS_PROXY pets';

describe('request log', () => {
  it("names the route's integration by the label its stage compiled (integrations/describe.ts)", () => {
    assert.equal(requestLogEntry(invocation({ status: 200, route: route('NONE', lambda), integrationRan: true })).integration, 'AWS_PROXY pets');
    assert.equal(requestLogEntry(invocation({ status: 404, route: route('NONE') })).integration, undefined);
  });

  it('states the authorizer decision: allow, deny, error, not evaluated; nothing without authorization', () => {
    const decision = (parts: Parameters<typeof invocation>[0]) => requestLogEntry(invocation(parts)).authorizer;
    assert.equal(decision({ status: 200, route: route('NONE', lambda), integrationRan: true }), undefined);
    assert.equal(decision({ status: 200, route: route('JWT', lambda), authorizer: { jwt: {} }, integrationRan: true }), 'JWT allow');
    assert.equal(decision({ status: 401, route: route('JWT', lambda), error: { message: 'Unauthorized' } }), 'JWT deny');
    assert.equal(decision({ status: 403, route: route('CUSTOM', lambda), error: { message: 'Forbidden' } }), 'CUSTOM deny');
    assert.equal(decision({ status: 500, route: route('CUSTOM', lambda), error: { message: 'Internal Server Error' } }), 'CUSTOM error');
    assert.equal(decision({ status: 429, route: route('AWS_IAM', lambda), error: { message: 'Too Many Requests' } }), 'AWS_IAM not evaluated');
  });

  it('writes a pretty line and a JSON line with the same facts', () => {
    const entry = requestLogEntry(invocation({ status: 404, stage: true, error: { message: 'Not Found', detail: 'no route matches' } }));
    const time = new Date(T0);
    const clock = `${String(time.getHours()).padStart(2, '0')}:${String(time.getMinutes()).padStart(2, '0')}:05.006`;
    assert.equal(prettyRequestLine(paint(false), entry, T0), `${clock} 404 GET /_aws/execute-api/a1b2c3d4e5/pets/1?x=1 12ms  a1b2c3d4e5/prod  — Not Found: no route matches\n`);
    assert.equal(
      jsonRequestLine(entry, T0),
      '{"time":"2026-01-02T03:04:05.006Z","level":"info","message":"request","requestId":"req-1","method":"GET","path":"/_aws/execute-api/a1b2c3d4e5/pets/1?x=1","status":404,"latencyMs":12,"apiId":"a1b2c3d4e5","stage":"prod","error":"Not Found: no route matches"}\n',
    );
    assert.deepEqual(JSON.parse(jsonRequestLine(requestLogEntry(invocation({ status: 200, stage: false })), T0)).apiId, undefined);
    assert.ok(prettyRequestLine(paint(true), entry, T0).includes('\u001b[33m404\u001b[39m'), 'a 4xx status in yellow');
  });

  it('writes the lines of one event-loop turn in one write, and flush writes what is pending', async () => {
    const writes: string[] = [];
    const log = createRequestLog('json', { write: (t: string) => writes.push(t) }, paint(false));
    log(invocation({ status: 200 }));
    log(invocation({ status: 201 }));
    assert.equal(writes.length, 0);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(writes.length, 1);
    assert.deepEqual(writes[0]?.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { status: number }).status), [200, 201]);
    log(invocation({ status: 202 }));
    log.flush();
    assert.equal(writes.length, 2);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(writes.length, 2, 'nothing left to write');
  });
});
