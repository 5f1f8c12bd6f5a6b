import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Invocation } from '../invocation.js';
import { buildWebSocketEvent } from './websocket-events.js';

/** A message event of a connection whose `$connect` authorizer returned a context. */
function messageOf(authorizer: Record<string, unknown>): Invocation {
  const connection = {
    connectionId: 'abc=',
    apiId: 'api1',
    stage: 'prod',
    domainName: 'api1.execute-api.localhost',
    connectedAt: 1,
    sourceIp: '127.0.0.1',
    userAgent: 'test',
    stageVariables: {},
    authorizer,
  };
  return {
    requestId: 'r1',
    requestTimeEpoch: 2,
    request: { method: 'GET', path: '/', rawQueryString: '', headers: {}, rawHeaders: [], sourceIp: '127.0.0.1', protocol: 'HTTP/1.1', domainName: 'x', domainPrefix: 'x' },
    body: Buffer.from('{"action":"x"}'),
    websocket: { connection, eventType: 'MESSAGE', routeKey: '$default', messageId: 'm1' },
  } as unknown as Invocation;
}

test('each message event has its own copy of the connection authorizer context (in-process handlers get the event as is)', () => {
  const authorizer = { principalId: 'me', user: { name: 'ann' } };
  const first = buildWebSocketEvent(messageOf(authorizer)) as { requestContext: { authorizer: { user: { name: string } } } };
  assert.deepStrictEqual(first.requestContext.authorizer, authorizer);
  first.requestContext.authorizer.user.name = 'changed by a handler';
  const second = buildWebSocketEvent(messageOf(authorizer)) as { requestContext: { authorizer: { user: { name: string } } } };
  assert.equal(second.requestContext.authorizer.user.name, 'ann');
  assert.equal(authorizer.user.name, 'ann');
});
