/**
 * Hostile input on the data plane, through a real upstream that records every path it receives and raw sockets for
 * what fetch would normalise or refuse to send. Each trick is refused with an exact answer or shown to be harmless.
 *
 * Evidence behind the answers (see src/data-plane/request-path.ts and src/http-limits.ts):
 * - HTTP APIs decode the request path before the integration sees it, and refuse with 400 a path that does not
 *   decode: live captures in hotsock/voker vokerhttp/testdata/ingress-paths.json (`/capture/slash%2Fvalue` arrives as
 *   `/capture/slash/value`, `%252F` as `/`, `/capture/percent%25done` is a 400). No public capture covers dot
 *   segments; Gatehouse refuses them, encoded or not, with 400 `{"message":"Bad Request"}`.
 * - Request line + header values are limited to 10240 bytes and payloads to 10 MB, neither raisable
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html). AWS's exact answers are not
 *   public: 431 and 413 with `{"message": ...}` are HTTP's statuses for them.
 * - Requests that arrive too slowly: AWS bounds a request at 30 s (the integration timeout quota); 408 is HTTP's
 *   answer when a request does not arrive in time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import type { RawExchange, RawResponse } from '../../helpers/raw-http.js';
import { exchange } from '../../helpers/raw-http.js';
import type { TestServer } from '../../helpers/server.js';
import { sdkClient, startServer } from '../../helpers/server.js';
import type { Upstream } from '../../helpers/upstream.js';
import { startUpstream } from '../../helpers/upstream.js';

const BAD_REQUEST = '{"message":"Bad Request"}';

/** An HTTP API with an open proxy route, a protected one on the same backend, mapped paths and a $default route. */
async function createApi(client: ApiGatewayV2Client, origin: string): Promise<string> {
  const apiId = (await client.send(new CreateApiCommand({ Name: 'hostile', ProtocolType: 'HTTP' }))).ApiId as string;
  const route = async (routeKey: string, uri: string, extra: { requestParameters?: Record<string, string>; authorizationType?: 'AWS_IAM' } = {}) => {
    const { IntegrationId } = await client.send(
      new CreateIntegrationCommand({
        ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: uri, PayloadFormatVersion: '1.0',
        ...(extra.requestParameters ? { RequestParameters: extra.requestParameters } : {}),
      }),
    );
    await client.send(
      new CreateRouteCommand({ ApiId: apiId, RouteKey: routeKey, Target: `integrations/${IntegrationId}`, ...(extra.authorizationType ? { AuthorizationType: extra.authorizationType } : {}) }),
    );
  };
  await route('ANY /open/{proxy+}', `${origin}/open/{proxy}`);
  await route('ANY /private/{proxy+}', `${origin}/private/{proxy}`, { authorizationType: 'AWS_IAM' });
  await route('GET /files/{name}', `${origin}/files/{name}`);
  await route('GET /mapped', `${origin}/m`, { requestParameters: { 'overwrite:path': '$request.querystring.p' } });
  await route('GET /mapped-header', `${origin}/m`, { requestParameters: { 'overwrite:path': '/m/${request.header.x-p}' } });
  await route('$default', `${origin}/base`);
  await client.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
  return apiId;
}

const get = (host: string, target: string, headers = ''): string => `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n${headers}\r\n`;

/** The single response of an exchange, asserting there was exactly one. */
function only(ex: RawExchange): RawResponse {
  assert.equal(ex.responses.length, 1, `expected one response, got: ${JSON.stringify(ex.text.slice(0, 400))}`);
  return ex.responses[0] as RawResponse;
}

function assertGatewayError(res: RawResponse, status: number, body: string): void {
  assert.equal(res.status, status, res.body);
  assert.equal(res.body, body);
  assert.equal(res.headers['content-type'], 'application/json');
}

describe('data plane: hostile request paths and targets', () => {
  let s: TestServer;
  let up: Upstream;
  let host: string;
  let port: number;

  before(async () => {
    up = await startUpstream();
    // Access keys make the AWS_IAM route answerable (403 unsigned); the test client signs with the same key.
    s = await startServer({ env: { GATEHOUSE_CREDENTIALS: 'AKIDEXAMPLE:secret' } });
    port = s.gatehouse.port;
    host = `${await createApi(s.client, up.origin)}.execute-api.localhost:${port}`;
  });
  after(async () => {
    await s.close();
    await up.close();
  });

  const send = (target: string, headers = '') => exchange(port, get(host, target, headers), { expect: 1 });
  const upstreamPaths = () => up.requests.map((r) => r.path);

  it('ordinary paths still reach the backend under the route prefix', async () => {
    up.requests.length = 0;
    for (const [target, path] of [
      ['/open/a/b.txt', '/open/a/b.txt'],
      ['/open/v1.0/..x/...', '/open/v1.0/..x/...'],
      ['/open/caf%C3%A9', '/open/caf%C3%A9'],
      ['/files/report.pdf', '/files/report.pdf'],
      ['/anything/else', '/base/anything/else'],
    ] as const) {
      assert.equal(only(await send(target)).status, 200, target);
      assert.equal(upstreamPaths().at(-1), path);
    }
    // The protected route on the same backend is not reachable without a signature.
    assertGatewayError(only(await send('/private/x')), 403, '{"message":"Forbidden"}');
  });

  it('dot segments, encoded slashes and backslashes never reach a backend: 400 Bad Request', async () => {
    up.requests.length = 0;
    const tricks = [
      // literal dot segments
      '/open/../private/x', '/open/./../private/x', '/open/a/../../private/x', '/open/..', '/open/.',
      // percent-encoded, any case, mixed with literal dots
      '/open/%2e%2e/private/x', '/open/%2E%2E/private/x', '/open/%2e%2E/private/x', '/open/%2e./private/x', '/open/.%2e/private/x',
      '/open/%2e/../private/x', '/open/a/%2e%2e/%2e%2e/private/x',
      // double-encoded (a backend that decodes twice, as AWS itself does, would see `..`)
      '/open/%252e%252e/private/x', '/open/%252E%252E/private/x', '/open/%252e./private/x',
      // encoded slashes and backslashes, alone and with dots
      '/open/..%2Fprivate%2Fx', '/open/..%2fprivate/x', '/open/%2e%2e%2fprivate/x', '/open/a%2Fb', '/open/..%252Fprivate/x',
      '/open/..%5Cprivate/x', '/open/%2e%2e%5cprivate/x', '/open/..%255Cprivate/x', '/open/..\\private\\x', '/open/a\\b',
      // `..;` is `..` to Tomcat, Jetty and Spring
      '/open/..;/private/x', '/open/%2e%2e;jsessionid=1/private/x',
      // malformed and overlong encodings (`%c0%ae` is `.` to lenient decoders)
      '/open/%2e%2e%zz/private/x', '/open/%c0%ae%c0%ae/private/x',
      // a single-segment parameter hiding a separator
      '/files/a%2Fb', '/files/..%2F..%2Fprivate%2Fx',
      // through $default, which appends the whole path
      '/%2e%2e/private/x', '/../private/x', '/base/%2e%2e/private/x',
      // a fragment is no part of a request target
      '/open/x#/../../private/x',
    ];
    for (const target of tricks) {
      const res = only(await send(target));
      assertGatewayError(res, 400, BAD_REQUEST);
      assert.match(res.headers['apigw-requestid'] ?? '', /^[A-Za-z0-9_-]{15}=$/, target);
    }
    assert.deepEqual(upstreamPaths(), [], 'no trick may reach any backend');
  });

  it('path-style addresses get the same checks', async () => {
    up.requests.length = 0;
    const apiId = host.split('.')[0] as string;
    const res = only(await exchange(port, get(`localhost:${port}`, `/_aws/execute-api/${apiId}/%2e%2e/open/x`), { expect: 1 }));
    assertGatewayError(res, 400, BAD_REQUEST);
    assert.equal(only(await exchange(port, get(`localhost:${port}`, `/_aws/execute-api/${apiId}/open/x`), { expect: 1 })).status, 200);
    assert.deepEqual(upstreamPaths(), ['/open/x']);
  });

  it('overwrite:path from client text cannot leave the backend path: 400 Bad Request', async () => {
    up.requests.length = 0;
    assert.equal(only(await send('/mapped?p=ok/path')).status, 200);
    assert.equal(only(await send('/mapped-header', 'x-p: fine\r\n')).status, 200);
    assert.deepEqual(upstreamPaths(), ['/ok/path', '/m/fine']);
    up.requests.length = 0;
    for (const query of ['p=../private/x', 'p=/open/../../private/x', 'p=%2e%2e/private/x', 'p=%2E%2E%2Fprivate', 'p=a/./b', 'p=%252e%252e/private', 'p=..%5Cprivate', 'p=..\\private']) {
      assertGatewayError(only(await send(`/mapped?${query}`)), 400, BAD_REQUEST);
    }
    for (const header of ['../../private/x', '..', '%2e%2e/private', '..%2Fprivate']) {
      assertGatewayError(only(await send('/mapped-header', `x-p: ${header}\r\n`)), 400, BAD_REQUEST);
    }
    assert.deepEqual(upstreamPaths(), []);
  });

  it('absolute-form targets are refused, never routed by their authority: 400 Bad Request', async () => {
    up.requests.length = 0;
    for (const target of ['http://evil.example/private/x', `http://${host}/open/x`, 'https://evil.example/open/x', 'http://evil.example']) {
      assertGatewayError(only(await send(target)), 400, BAD_REQUEST);
    }
    // The management API and the server's own endpoints refuse them too.
    assertGatewayError(only(await exchange(port, get(`127.0.0.1:${port}`, `http://127.0.0.1:${port}/v2/apis`), { expect: 1 })), 400, BAD_REQUEST);
    // A WebSocket-style upgrade with an absolute-form target.
    const upgrade = await exchange(port, `GET http://evil.example/open/x HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
    assertGatewayError(only(upgrade), 400, BAD_REQUEST);
    assert.equal(upgrade.closed, true);
    assert.deepEqual(upstreamPaths(), []);
  });

  it('OPTIONS * names no API: 404 Not Found; CONNECT is refused and the connection closed', async () => {
    assertGatewayError(only(await exchange(port, `OPTIONS * HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, { expect: 1 })), 404, '{"message":"Not Found"}');
    assertGatewayError(only(await exchange(port, `GET * HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, { expect: 1 })), 400, BAD_REQUEST);
    const connect = await exchange(port, `CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n`);
    assertGatewayError(only(connect), 400, BAD_REQUEST);
    assert.equal(connect.closed, true);
  });
});

describe('data plane: oversize requests and request smuggling', () => {
  let s: TestServer;
  let up: Upstream;
  let host: string;
  let port: number;

  before(async () => {
    up = await startUpstream();
    s = await startServer();
    port = s.gatehouse.port;
    host = `${await createApi(s.client, up.origin)}.execute-api.localhost:${port}`;
  });
  after(async () => {
    await s.close();
    await up.close();
  });

  /** A GET whose request line and header values (AWS's measure) add up to exactly `total` bytes. */
  const sized = (total: number): string => {
    const line = 'GET /open/x HTTP/1.1';
    const pad = total - line.length - host.length - 'close'.length;
    return `${line}\r\nHost: ${host}\r\nConnection: close\r\nX-Pad: ${'p'.repeat(pad)}\r\n\r\n`;
  };

  it('request line and header values: 10240 bytes pass, 10241 are 431 Request Header Fields Too Large', async () => {
    up.requests.length = 0;
    assert.equal(only(await exchange(port, sized(10240), { expect: 1 })).status, 200);
    assert.equal(up.requests.length, 1);
    const over = only(await exchange(port, sized(10241), { expect: 1 }));
    assertGatewayError(over, 431, '{"message":"Request Header Fields Too Large"}');
    assert.ok(over.headers['apigw-requestid']);
    // Past Node's 16 KiB parser limit the listener answers before any handler, and closes.
    const huge = await exchange(port, sized(20_000));
    assertGatewayError(only(huge), 431, '{"message":"Request Header Fields Too Large"}');
    assert.equal(huge.closed, true);
    assert.equal(up.requests.length, 1);
  });

  it('bodies: 10 MB pass, a declared or streamed 10 MB + 1 byte is 413 Request Entity Too Large', async () => {
    const tenMb = 10 * 1024 * 1024;
    up.requests.length = 0;
    const exact = await exchange(port, [`POST /open/upload HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nContent-Length: ${tenMb}\r\n\r\n`, Buffer.alloc(tenMb, 'a')], { expect: 1, waitMs: 20_000 });
    assert.equal(only(exact).status, 200);
    assert.equal(up.requests.at(-1)?.bodyLength, tenMb);
    // Declared: refused from the header, before any byte of the body.
    const declared = await exchange(port, `POST /open/upload HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nContent-Length: ${tenMb + 1}\r\n\r\n`, { expect: 1 });
    assertGatewayError(only(declared), 413, '{"message":"Request Entity Too Large"}');
    // Chunked: refused once the running count passes the quota.
    const body = Buffer.alloc(tenMb + 1, 'b');
    const chunked = await exchange(
      port,
      [`POST /open/upload HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n`, body, '\r\n0\r\n\r\n'],
      { expect: 1, waitMs: 20_000 },
    );
    assertGatewayError(only(chunked), 413, '{"message":"Request Entity Too Large"}');
    assert.equal(up.requests.length, 1, 'the oversize bodies never completed upstream');
  });

  it('ambiguous framing is refused with 400 and the connection closed; nothing reaches the backend', async () => {
    up.requests.length = 0;
    const smuggled = `GET /open/smuggled HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
    const attempts = {
      'Content-Length with Transfer-Encoding (CL.TE)': `POST /open/a HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
      'Transfer-Encoding with Content-Length (TE.CL)': `POST /open/a HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n`,
      'duplicate Content-Length, same value': `POST /open/a HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab`,
      'duplicate Content-Length, different values': `POST /open/a HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\nab${smuggled}`,
      'Content-Length list': `POST /open/a HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 2, 2\r\n\r\nab`,
      'obs-fold': `GET /open/a HTTP/1.1\r\nHost: ${host}\r\nX-Folded: a\r\n b\r\n\r\n`,
      'obs-fold continuing Transfer-Encoding': `POST /open/a HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding:\r\n chunked\r\nContent-Length: 2\r\n\r\nab`,
      'Transfer-Encoding not ending in chunked': `POST /open/a HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n`,
      'unknown Transfer-Encoding': `POST /open/a HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n`,
      'whitespace before the colon': `POST /open/a HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n`,
      'bare LF line endings': `GET /open/a HTTP/1.1\nHost: ${host}\n\n`,
    };
    for (const [name, raw] of Object.entries(attempts)) {
      const ex = await exchange(port, raw);
      assert.equal(ex.responses.length, 1, `${name}: ${JSON.stringify(ex.text)}`);
      assertGatewayError(ex.responses[0] as RawResponse, 400, BAD_REQUEST);
      assert.equal(ex.closed, true, name);
    }
    assert.deepEqual(up.requests.map((r) => r.path), []);
  });

  it('a chunked body is forwarded with one framing, and a request pipelined after it stays a separate request', async () => {
    up.requests.length = 0;
    const ex = await exchange(
      port,
      `POST /open/a HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /open/second HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    );
    assert.deepEqual(ex.responses.map((r) => r.status), [200, 200]);
    assert.deepEqual(up.requests.map((r) => [r.path, r.body]), [['/open/a', 'hello'], ['/open/second', '']]);
    const first = up.requests[0]?.headers ?? {};
    assert.ok(!(first['content-length'] !== undefined && first['transfer-encoding'] !== undefined), 'never both framings upstream');
  });

  it('requests without a body pipelined between requests with one are answered in order, each with its own body upstream', async () => {
    // What must keep working while the data plane reads a request that declares no body itself, as it arrives
    // and once answered (src/data-plane/integrations/body.ts, readEmptyBody and endEmptyBody). That Node no
    // longer dumps such a request is shown by body.test.ts, which counts its resume() calls.
    up.requests.length = 0;
    const ex = await exchange(
      port,
      [
        `GET /open/1 HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
        `POST /open/2 HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 0\r\n\r\n`,
        `POST /open/3 HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 5\r\n\r\nhello`,
        `DELETE /open/4 HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
        `POST /open/5 HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
        `OPTIONS /open/6 HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
        `GET /open/7 HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      ].join(''),
    );
    assert.deepEqual(ex.responses.map((r) => r.status), [200, 200, 200, 200, 200, 200, 200], ex.text.slice(0, 400));
    assert.deepEqual(
      up.requests.map((r) => [r.method, r.path, r.body]),
      [['GET', '/open/1', ''], ['POST', '/open/2', ''], ['POST', '/open/3', 'hello'], ['DELETE', '/open/4', ''], ['POST', '/open/5', 'abc'], ['OPTIONS', '/open/6', ''], ['GET', '/open/7', '']],
    );
  });
});

describe('every listener: slow headers and slow bodies', () => {
  const HEADERS_MS = 300;
  const REQUEST_MS = 900;
  let s: TestServer;
  let up: Upstream;
  let host: string;
  let port: number;
  let adminPort: number;

  before(async () => {
    up = await startUpstream();
    s = await startServer({ args: ['--headers-timeout', String(HEADERS_MS), '--request-timeout', String(REQUEST_MS), '--admin-port', '0'] });
    port = s.gatehouse.port;
    adminPort = s.gatehouse.adminPort as number;
    // With --admin-port the management API lives on the admin listener.
    const admin = sdkClient(s.gatehouse.adminUrl as string);
    host = `${await createApi(admin, up.origin)}.execute-api.localhost:${port}`;
    admin.destroy();
  });
  after(async () => {
    await s.close();
    await up.close();
  });

  const trickle = (head: string, bytes: number): string[] => [head, ...Array.from({ length: bytes }, () => 'x')];
  const headerTrickle = (line: string, hostHeader: string): string[] => [`${line}\r\nHost: ${hostHeader}\r\n`, ...Array.from({ length: 40 }, (_, i) => `X-Slow-${i}: 1\r\n`)];

  function assertTimedOut(ex: RawExchange, atLeastMs: number): void {
    assertGatewayError(only(ex), 408, '{"message":"Request Timeout"}');
    assert.equal(ex.closed, true);
    assert.ok(ex.elapsedMs >= atLeastMs - 20, `closed after ${ex.elapsedMs} ms, before the ${atLeastMs} ms bound`);
    assert.ok(ex.elapsedMs < atLeastMs + 1500, `closed after ${ex.elapsedMs} ms, long after the ${atLeastMs} ms bound`);
  }

  it('data plane: headers sent slowly are 408 Request Timeout after the headers timeout, connection closed', async () => {
    assertTimedOut(await exchange(port, headerTrickle('GET /open/x HTTP/1.1', host), { gapMs: 50, waitMs: 5000 }), HEADERS_MS);
  });

  it('data plane: a body sent slowly is 408 after the request timeout and never completes upstream', async () => {
    up.requests.length = 0;
    const head = `POST /open/x HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 60\r\n\r\n`;
    assertTimedOut(await exchange(port, trickle(head, 60), { gapMs: 50, waitMs: 5000 }), REQUEST_MS);
    const chunkedHead = `POST /open/x HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const chunks = [chunkedHead, ...Array.from({ length: 60 }, () => '1\r\nx\r\n')];
    assertTimedOut(await exchange(port, chunks, { gapMs: 50, waitMs: 5000 }), REQUEST_MS);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(up.requests, []);
  });

  it('data plane: a slow body after an early answer is cut off at the request timeout, without a second response', async () => {
    const head = `POST /_aws/execute-api/nosuchapi/x HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Length: 60\r\n\r\n`;
    const ex = await exchange(port, trickle(head, 60), { gapMs: 50, waitMs: 5000 });
    assertGatewayError(only(ex), 404, '{"message":"Not Found"}');
    assert.equal(ex.closed, true);
    assert.ok(ex.elapsedMs >= REQUEST_MS - 20 && ex.elapsedMs < REQUEST_MS + 1500, `closed after ${ex.elapsedMs} ms`);
  });

  it('main listener, management paths: slow headers are 408 there too', async () => {
    assertTimedOut(await exchange(port, headerTrickle('GET /v2/apis HTTP/1.1', `localhost:${port}`), { gapMs: 50, waitMs: 5000 }), HEADERS_MS);
  });

  it('admin listener: slow headers and slow bodies are 408', async () => {
    assertTimedOut(await exchange(adminPort, headerTrickle('GET /v2/apis HTTP/1.1', `localhost:${adminPort}`), { gapMs: 50, waitMs: 5000 }), HEADERS_MS);
    const head = `POST /v2/apis HTTP/1.1\r\nHost: localhost:${adminPort}\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n`;
    assertTimedOut(await exchange(adminPort, trickle(head, 60), { gapMs: 50, waitMs: 5000 }), REQUEST_MS);
  });

  it('keep-alive: a connection idle longer than both timeouts still serves its next request', async () => {
    const request = (path: string, close = false) => `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;
    const idle = REQUEST_MS + 400;
    const ex = await exchange(port, [request('/open/one'), request('/open/two', true)], { gapMs: idle, waitMs: idle + 3000 });
    assert.deepEqual(ex.responses.map((r) => r.status), [200, 200]);
    assert.deepEqual(up.requests.slice(-2).map((r) => r.path), ['/open/one', '/open/two']);
  });
});
