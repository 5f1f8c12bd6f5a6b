import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { ApiRecord, DeploymentSnapshot, IntegrationRecord, RouteRecord, StageRecord } from '../../model/resources.js';
import { everyByte, startUpstream, type EchoedRequest, type Upstream } from '../../../test/helpers/upstream.js';
import { GatewayError } from '../errors.js';
import type { CompiledIntegration, Invocation } from '../invocation.js';
import { HttpProxyPools, compileHttpProxyIntegration } from './http-proxy.js';
import { ProxyCall } from './http-proxy-call.js';
import { sendResponse } from '../stages/send-response.js';

// ---- a tiny gateway: builds the Invocation from a real request and calls the integration --------------------

interface Setup {
  integration: CompiledIntegration;
  routeKey: string;
  pathParameters?: Record<string, string>;
  stageVariables?: Record<string, string>;
  /** Buffer the body into inv.body before invoking (as the Lambda integration would). */
  buffered?: Buffer;
}

let setup: Setup;
let lastInvocation: Invocation | undefined;

function invocationOf(req: IncomingMessage): Invocation {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return {
    requestId: 'req-1',
    requestTimeEpoch: Date.now(),
    request: {
      method: req.method ?? 'GET',
      path,
      rawQueryString: q === -1 ? '' : url.slice(q + 1),
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      sourceIp: req.socket.remoteAddress ?? '',
      protocol: 'HTTP/1.1',
      domainName: 'abc123.execute-api.localhost',
      domainPrefix: 'abc123',
    },
    incoming: req,
    stage: {
      apiId: 'abc123',
      accountId: '123456789012',
      region: 'us-east-1',
      stageName: 'prod',
      deploymentId: 'd1',
      api: {} as ApiRecord,
      stageVariables: setup.stageVariables ?? {},
      cors: undefined,
      accessLog: undefined,
      snapshot: {} as DeploymentSnapshot, stageRecord: {} as StageRecord, match: () => undefined,
    },
    // The stage is `prod`: strip it like resolve-stage does.
    routePath: path.startsWith('/prod/') ? path.slice(5) : path === '/prod' ? '/' : path,
    route: { route: {} as RouteRecord, routeKey: setup.routeKey, integration: setup.integration, authorizer: undefined, throttle: undefined },
    pathParameters: setup.pathParameters,
  };
}

async function handle(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
  const inv = invocationOf(req);
  lastInvocation = inv;
  if (setup.buffered !== undefined) inv.body = setup.buffered;
  try {
    const response = await setup.integration.invoke(inv);
    // Sent as the data plane sends it (head and a complete body in one write, a longer one streamed).
    await sendResponse(inv, res, response);
  } catch (err) {
    assert.ok(err instanceof GatewayError, `integration rejected with ${String(err)}`);
    res.writeHead(err.statusCode, { 'content-type': 'application/json', 'x-detail': encodeURIComponent(err.detail ?? '') });
    res.end(JSON.stringify({ message: err.message }));
  }
}

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
  json<T = EchoedRequest>(): T;
}

let gatewayPort = 0;

/** Calls the gateway with node:http (any header allowed); `body` may be a writer for streamed uploads. */
function call(path: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer | string | ((req: import('node:http').ClientRequest) => void) } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: gatewayPort, path, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body.toString()) as T });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (typeof options.body === 'function') options.body(req);
    else req.end(options.body);
  });
}

function record(over: Partial<IntegrationRecord>): IntegrationRecord {
  return {
    integrationId: 'int1234',
    integrationType: 'HTTP_PROXY',
    integrationMethod: 'ANY',
    payloadFormatVersion: '1.0',
    timeoutInMillis: 30000,
    connectionType: 'INTERNET',
    createdDate: '2024-01-01T00:00:00Z',
    ...over,
  };
}

let upstream: Upstream;
let gateway: Server;
let pools: HttpProxyPools;
const factoryCalls: string[] = [];
const factoryOptions: Array<{ servername?: string }> = [];
const proxy = (over: Partial<IntegrationRecord>): CompiledIntegration =>
  compileHttpProxyIntegration(record(over), {
    dispatcherFor: (origin, options) => {
      factoryCalls.push(origin);
      factoryOptions.push(options);
      return pools.dispatcherFor(origin, options);
    },
  });
const use = (s: Setup): void => {
  setup = s;
};

before(async () => {
  upstream = await startUpstream();
  pools = new HttpProxyPools();
  gateway = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  gatewayPort = (gateway.address() as AddressInfo).port;
});

after(async () => {
  // destroy, not close: a call a regression leaves in flight must fail its test, not hang the file's teardown.
  await pools.destroy();
  gateway.closeAllConnections();
  await new Promise((resolve) => gateway.close(resolve));
  await upstream.close();
});

beforeEach(() => {
  upstream.behaviour = undefined;
  upstream.requests.length = 0;
  factoryCalls.length = 0;
  factoryOptions.length = 0;
});

// ---- URL building ----------------------------------------------------------------------------------------------

describe('HTTP proxy: backend URL', { timeout: 10_000 }, () => {
  it('route path variables are substituted (and re-encoded) into the URI', async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/backend/pets/{petId}/x?fixed=1` }), routeKey: 'GET /pets/{petId}', pathParameters: { petId: 'a b' } });
    const echo = (await call('/prod/pets/a%20b?client=2')).json();
    assert.equal(echo.path, '/backend/pets/a%20b/x');
    assert.equal(echo.query, 'fixed=1&client=2', "the URI's query, then the client's");
  });

  it('a greedy {proxy+} is referenced as {proxy}; its slashes stay path separators', async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/petstore/{proxy}` }), routeKey: 'ANY /parent/{proxy+}', pathParameters: { proxy: 'a/b/c' } });
    assert.equal((await call('/prod/parent/a/b/c')).json().path, '/petstore/a/b/c');
  });

  it('${stageVariables.x} in host, path and query', async () => {
    use({
      integration: proxy({ integrationUri: 'http://${stageVariables.backend}/v${stageVariables.ver}/items?v=${stageVariables.ver}' }),
      routeKey: 'GET /items',
      stageVariables: { backend: `127.0.0.1:${upstream.port}`, ver: '2' },
    });
    const echo = (await call('/prod/items')).json();
    assert.equal(echo.path, '/v2/items');
    assert.equal(echo.query, 'v=2');
  });

  it('$default route appends the full request path (stage stripped) to the URI', async () => {
    use({ integration: proxy({ integrationUri: upstream.origin }), routeKey: '$default' });
    assert.equal((await call('/prod/store/checkout?x=1')).json().url, '/store/checkout?x=1');
    use({ integration: proxy({ integrationUri: `${upstream.origin}/api/` }), routeKey: '$default' });
    assert.equal((await call('/prod/store/checkout')).json().path, '/api/store/checkout', 'decision: appended to the URI path');
  });

  it('other routes use the URI as-is (the request path is not appended)', async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/fixed` }), routeKey: 'ANY /{proxy+}', pathParameters: { proxy: 'x/y' } });
    assert.equal((await call('/prod/x/y')).json().path, '/fixed');
  });

  it("the client's query string is forwarded byte for byte", async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/q` }), routeKey: 'GET /q' });
    assert.equal((await call('/prod/q?a=1&b=%20x+y&a=2&flag')).json().query, 'a=1&b=%20x+y&a=2&flag');
  });

  it('integrationMethod overrides the client method; ANY keeps it', async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/m`, integrationMethod: 'POST' }), routeKey: 'GET /m' });
    assert.equal((await call('/prod/m')).json().method, 'POST');
    use({ integration: proxy({ integrationUri: `${upstream.origin}/m` }), routeKey: 'ANY /m' });
    assert.equal((await call('/prod/m', { method: 'DELETE' })).json().method, 'DELETE');
  });

  it('an invalid URI answers 500 per request', async () => {
    use({ integration: proxy({ integrationUri: 'not a url' }), routeKey: 'GET /bad' });
    assert.equal((await call('/prod/bad')).status, 500);
  });
});

// ---- headers ---------------------------------------------------------------------------------------------------

describe('HTTP proxy: headers', { timeout: 10_000 }, () => {
  it('forwards client headers minus hop-by-hop ones; host is the backend; adds x-forwarded-* and a trace id', async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/h` }), routeKey: 'GET /h' });
    const echo = (
      await call('/prod/h', {
        headers: {
          'x-custom': 'kept',
          Connection: 'keep-alive, x-listed-hop',
          'x-listed-hop': 'dropped',
          'keep-alive': 'timeout=5',
          'proxy-authorization': 'Basic Zm9v',
          te: 'trailers',
          'x-forwarded-for': '203.0.113.9',
          host: 'abc123.execute-api.localhost',
        },
      })
    ).json();
    const h = echo.headers;
    assert.equal(h['x-custom'], 'kept');
    for (const name of ['x-listed-hop', 'keep-alive', 'proxy-authorization', 'te']) assert.equal(h[name], undefined, name);
    assert.equal(h.host, `127.0.0.1:${upstream.port}`);
    assert.equal(h['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
    assert.equal(h['x-forwarded-port'], String(gatewayPort));
    assert.equal(h['x-forwarded-proto'], 'http');
    assert.match(String(h['x-amzn-trace-id']), /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    assert.equal(h['forwarded'], 'for=127.0.0.1;host=abc123.execute-api.localhost;proto=http');
  });

  it("keeps the client's x-amzn-trace-id", async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/h` }), routeKey: 'GET /h' });
    const echo = (await call('/prod/h', { headers: { 'x-amzn-trace-id': 'Root=1-5e1b4151-5ac6c58f5f1e4a1e2d3c4b5a' } })).json();
    assert.equal(echo.headers['x-amzn-trace-id'], 'Root=1-5e1b4151-5ac6c58f5f1e4a1e2d3c4b5a');
  });

  it("returns the backend's status and headers minus hop-by-hop ones", async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/r` }), routeKey: 'GET /r' });
    const reply = await call('/prod/r', { headers: { 'x-upstream-status': '418', 'x-upstream-header': 'x-kept=1, proxy-thing=2, set-cookie=a=1, set-cookie=b=2' } });
    assert.equal(reply.status, 418);
    assert.equal(reply.headers['x-kept'], '1');
    assert.equal(reply.headers['proxy-thing'], undefined);
    assert.deepEqual(reply.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(lastInvocation?.integration?.status, 418);
    assert.ok((lastInvocation?.integration?.latencyMs ?? -1) >= 0);
  });

  it('HEAD and 204 responses have no body', async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/head` }), routeKey: 'ANY /head' });
    const head = await call('/prod/head', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    const empty = await call('/prod/head', { headers: { 'x-upstream-status': '204' } });
    assert.equal(empty.status, 204);
    assert.equal(empty.body.length, 0);
  });
});

// ---- bodies ----------------------------------------------------------------------------------------------------

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Writes `total` bytes in 64 KB chunks honouring backpressure, then ends (chunked unless content-length was set). */
function writeChunks(total: number, fill = 0x62): (req: import('node:http').ClientRequest) => void {
  const chunk = Buffer.alloc(64 * 1024, fill);
  return (req) => {
    let sent = 0;
    req.on('error', () => {}); // the gateway may answer (and close) before the upload ends
    req.on('response', () => (sent = total)); // answered early: stop uploading
    const pump = (): void => {
      while (sent < total) {
        const n = Math.min(chunk.length, total - sent);
        sent += n;
        if (!req.write(chunk.subarray(0, n))) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  };
}

describe('HTTP proxy: bodies', { timeout: 10_000 }, () => {
  it('streams a 5 MB upload with content-length', async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/up` }), routeKey: 'POST /up' });
    const total = 5 * 1024 * 1024;
    const echo = (await call('/prod/up', { method: 'POST', headers: { 'content-length': String(total) }, body: writeChunks(total) })).json();
    assert.equal(echo.bodyLength, total);
    assert.equal(echo.bodySha256, sha(Buffer.alloc(total, 0x62)));
    assert.equal(echo.headers['content-length'], String(total));
  });

  it('streams a 5 MB chunked upload', async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/up` }), routeKey: 'POST /up' });
    const total = 5 * 1024 * 1024 + 7;
    const echo = (await call('/prod/up', { method: 'POST', body: writeChunks(total) })).json();
    assert.equal(echo.bodyLength, total);
    assert.equal(echo.bodySha256, sha(Buffer.alloc(total, 0x62)));
  });

  it('answers a binary body byte for byte, whether it goes out with the head (up to 16 KB, as latin1 text) or after it', async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/bytes` }), routeKey: 'GET /bytes' });
    // How many writes each response made to its socket (the gateway's own listener runs first; it writes only
    // after awaiting the backend, so the count covers the whole response).
    const writes: number[] = [];
    const countWrites = (_req: IncomingMessage, res: import('node:http').ServerResponse) => {
      const socket = res.socket as import('node:net').Socket;
      const write = socket.write;
      let n = 0;
      socket.write = function (this: import('node:net').Socket, ...args: Parameters<typeof write>) {
        n++;
        return write.apply(this, args);
      } as typeof write;
      res.once('finish', () => {
        socket.write = write;
        writes.push(n);
      });
    };
    gateway.on('request', countWrites);
    try {
      for (const length of [1, 256, 16 * 1024, 16 * 1024 + 1, 200 * 1024]) {
        const reply = await call('/prod/bytes', { headers: { 'x-upstream-bytes': String(length) } });
        assert.equal(reply.status, 200);
        assert.equal(reply.headers['content-length'], String(length), `${length} bytes: content-length`);
        assert.ok(reply.body.equals(everyByte(length)), `${length} bytes: the same bytes`);
      }
    } finally {
      gateway.off('request', countWrites);
    }
    // Node's end() of a response with content-length adds an empty write: head+body and '' up to 16 KB, then head,
    // body and '' for a whole body past it, and more for the 200 KB one, which streams.
    assert.deepEqual(writes.slice(0, 4), [2, 2, 2, 3], `up to 16 KB, head and body in one write: ${writes.join(', ')}`);
    assert.ok((writes[4] as number) > 3, `200 KB streamed: ${writes.join(', ')}`);
  });

  it('sends a body already buffered in inv.body', async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/up` }), routeKey: 'POST /up', buffered: Buffer.from('{"hello":"world"}') });
    const echo = (await call('/prod/up', { method: 'POST', body: '{"hello":"world"}' })).json();
    assert.equal(echo.body, '{"hello":"world"}');
    assert.equal(echo.headers['content-length'], '17');
  });

  it('413 for a declared content-length over 10 MB, without calling the backend', async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/up` }), routeKey: 'POST /up' });
    const reply = await call('/prod/up', { method: 'POST', headers: { 'content-length': String(10 * 1024 * 1024 + 1) }, body: (req) => req.on('error', () => {}).flushHeaders() });
    assert.equal(reply.status, 413);
    assert.deepEqual(JSON.parse(reply.body.toString()), { message: 'Request Entity Too Large' });
    assert.equal(upstream.requests.length, 0);
  });

  it('413 when a chunked upload passes 10 MB (the upstream request is aborted)', async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/up` }), routeKey: 'POST /up' });
    const reply = await call('/prod/up', { method: 'POST', body: writeChunks(11 * 1024 * 1024) });
    assert.equal(reply.status, 413);
    assert.equal(lastInvocation?.integration?.error?.includes('exceeds'), true);
  });

  it('streams a 20 MB response through without buffering it', async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/down` }), routeKey: 'GET /down' });
    const total = 20 * 1024 * 1024;
    const reply = await call('/prod/down', { headers: { 'x-upstream-large': String(total) } });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.length, total);
  });

  it('hands the response over as soon as headers arrive (the backend is still writing)', async () => {
    let release!: () => void;
    upstream.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first;');
      release = () => res.end('last');
    };
    use({ integration: proxy({ integrationUri: `${upstream.origin}/s` }), routeKey: 'GET /s' });
    const first = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: gatewayPort, path: '/prod/s', agent: false }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
          if (text === 'first;') release();
        });
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(first, 'first;last');
  });

  it('a hand-built Invocation (no IncomingMessage) works for a bodiless request; the body is streamed, not buffered', async () => {
    upstream.behaviour = (_req, res) => {
      res.writeHead(200, { 'x-a': '1' });
      res.write('part');
      setTimeout(() => res.end('!'), 30);
    };
    const integration = proxy({ integrationUri: `${upstream.origin}/direct` });
    const inv: Invocation = {
      requestId: 'r',
      requestTimeEpoch: Date.now(),
      request: { method: 'GET', path: '/direct', rawQueryString: '', headers: {}, rawHeaders: [], sourceIp: '192.0.2.1', protocol: 'HTTP/1.1', domainName: 'd.example', domainPrefix: 'd' },
      incoming: {} as IncomingMessage,
      routePath: '/direct',
      route: { route: {} as RouteRecord, routeKey: 'GET /direct', integration: undefined, authorizer: undefined, throttle: undefined },
    };
    const response = await integration.invoke(inv);
    const body = response.body;
    assert.ok(body !== undefined && typeof body === 'object' && !Buffer.isBuffer(body), 'streamed, not buffered');
    assert.equal(response.headers['x-a'], '1');
    // Written into a real response of a server of this test.
    const server = createServer((_req, res) => {
      res.writeHead(200);
      void body.writeTo(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const text = await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)).text();
      assert.equal(text, 'part!');
    } finally {
      server.close();
    }
    assert.equal(upstream.requests[0]?.headers['x-forwarded-for'], '192.0.2.1');
    assert.equal(upstream.requests[0]?.headers['x-forwarded-port'], '80');
  });

  it('a client that goes away mid-download aborts the upstream request', async () => {
    let upstreamClosed!: Promise<boolean>;
    upstream.behaviour = (_req, res) => {
      upstreamClosed = new Promise((resolve) => res.on('close', () => resolve(res.writableFinished)));
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    };
    use({ integration: proxy({ integrationUri: `${upstream.origin}/endless` }), routeKey: 'GET /endless' });
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: gatewayPort, path: '/prod/endless', agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => {});
      req.on('close', () => resolve());
      setTimeout(() => reject(new Error('no data')), 2000).unref();
      req.end();
    });
    assert.equal(await upstreamClosed, false, 'the backend response never finished: its socket was closed');
  });
});

// ---- failures --------------------------------------------------------------------------------------------------

describe('HTTP proxy: failures', { timeout: 10_000 }, () => {
  it('ProxyCall: an error after the head, before the head is told (a microtask later), only cuts the body: told once', async () => {
    // The invariant the test above cannot force through undici's timing: driven directly.
    const told: string[] = [];
    const inv = {} as Invocation;
    const call = new ProxyCall(inv, Date.now(), undefined, (err) => told.push(err === undefined ? 'response' : `error ${(err as GatewayError).statusCode}`), 'GET', 'http://127.0.0.1:9', '/x', 30_000);
    call.onHeaders(200, [Buffer.from('content-type'), Buffer.from('text/plain')], () => undefined);
    call.onError(new Error('the body broke'));
    await Promise.resolve();
    assert.deepEqual(told, ['response']);
    assert.equal(inv.integration?.error, 'the body broke', 'recorded for the logs');
  });

  it('a dispatcher that throws instead of calling onError: a 500 naming the cause, told once', async () => {
    const throwing = compileHttpProxyIntegration(record({ integrationUri: 'http://127.0.0.1:9/x' }), {
      dispatcherFor: () =>
        ({
          dispatch: () => {
            throw new Error('dispatcher refused');
          },
        }) as never,
    });
    const told: unknown[] = [];
    await new Promise<void>((resolve) => {
      use({ integration: { invoke: (inv) => new Promise((ok, fail) => throwing.invokeThen?.(inv, (error, response) => (told.push(error ?? response), error === undefined ? ok(response as never) : fail(error as Error), resolve()))) }, routeKey: 'GET /x' });
      void call('/prod/x');
    });
    await sleep(50);
    assert.equal(told.length, 1);
    const [error] = told;
    assert.ok(error instanceof GatewayError && error.statusCode === 500 && /dispatcher refused/.test(error.detail ?? ''), String(error));
  });

  it('a backend whose body breaks in the packet of its head: the outcome is told once (the head), the body then cut', async () => {
    // The head is told after a microtask (ProxyCall.onHeaders), but settled at once: an error undici reports
    // before that microtask runs only cuts the body, as before the microtask existed.
    const raw = createTcpServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nZZ\r\n')));
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    try {
      const real = proxy({ integrationUri: `http://127.0.0.1:${(raw.address() as AddressInfo).port}/broken` });
      const told: unknown[] = [];
      const counted: CompiledIntegration = {
        invoke: (inv) =>
          new Promise((resolve, reject) =>
            real.invokeThen?.(inv, (error, response) => {
              told.push(error ?? response?.statusCode);
              if (error === undefined && response) resolve(response);
              else reject(error as Error);
            }),
          ),
      };
      use({ integration: counted, routeKey: 'GET /broken' });
      await call('/prod/broken').catch(() => undefined); // the client's response ends abruptly
      await sleep(100);
      assert.deepEqual(told, [200]);
    } finally {
      raw.close();
    }
  });

  it('no response within timeoutInMillis → 503 Service Unavailable', async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/hang`, timeoutInMillis: 100 }), routeKey: 'GET /hang' });
    const started = Date.now();
    const reply = await call('/prod/hang', { headers: { 'x-upstream-hang': '1' } });
    assert.equal(reply.status, 503);
    assert.deepEqual(JSON.parse(reply.body.toString()), { message: 'Service Unavailable' });
    assert.ok(Date.now() - started < 2000);
    assert.match(lastInvocation?.integration?.error ?? '', /timed out after 100 ms/);
  });

  it('a slow backend past the timeout → 503; within it → 200', async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/slow`, timeoutInMillis: 150 }), routeKey: 'GET /slow' });
    assert.equal((await call('/prod/slow', { headers: { 'x-upstream-delay': '400' } })).status, 503);
    assert.equal((await call('/prod/slow', { headers: { 'x-upstream-delay': '10' } })).status, 200);
  });

  // The body's timer is checked once per timeoutInMillis: a body with no byte for a whole period is cut (one to two
  // periods after its last byte). Margins are wide (500 ms periods) so a slow CI machine does not cut healthy bodies.
  it('a body that stops ends the client response abruptly, one to two timeouts after its last byte; the timeout is the cause', async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/drip`, timeoutInMillis: 500 }), routeKey: 'GET /drip' });
    const started = Date.now();
    // Headers and the first KB at once, the second KB only after 8 s.
    await assert.rejects(call('/prod/drip', { headers: { 'x-upstream-drip': '2x8000' } }));
    assert.ok(Date.now() - started < 5000);
    assert.match(lastInvocation?.integration?.error ?? '', /timed out after 500 ms/);
  });

  it('a body that keeps coming is not cut by timeoutInMillis, however long it takes in all', async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/drip`, timeoutInMillis: 500 }), routeKey: 'GET /drip' });
    // Seven chunks 200 ms apart: 1.2 s in all, each gap well within the 500 ms.
    const reply = await call('/prod/drip', { headers: { 'x-upstream-drip': '7x200' } });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.length, 7 * 1024);
    assert.equal(lastInvocation?.integration?.error, undefined);
  });

  it('a body a $response.body mapping waits for that stops → 503 (the body is not paused by the wait)', async () => {
    upstream.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(Buffer.alloc(80 * 1024, 0x20)); // past the 64 KB held, short of the 100 KB the mapping reads
    };
    use({ integration: proxy({ integrationUri: `${upstream.origin}/m`, timeoutInMillis: 500, responseParameters: { '200': { 'overwrite:header.x-v': '$response.body.v' } } }), routeKey: 'GET /m' });
    const reply = await call('/prod/m');
    assert.equal(reply.status, 503);
    assert.deepEqual(JSON.parse(reply.body.toString()), { message: 'Service Unavailable' });
    assert.match(lastInvocation?.integration?.error ?? '', /timed out after 500 ms/);
  });

  it('a client that stops reading for longer than timeoutInMillis does not time the backend out (paused, as undici\'s bodyTimeout)', async () => {
    let backpressure = false;
    upstream.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      let left = 128;
      const pump = (): void => {
        while (left > 0) {
          left--;
          if (!res.write(Buffer.alloc(64 * 1024, 0x61))) {
            backpressure = true;
            return void res.once('drain', pump);
          }
        }
        res.end();
      };
      pump();
    };
    use({ integration: proxy({ integrationUri: `${upstream.origin}/down`, timeoutInMillis: 500 }), routeKey: 'GET /down' });
    const length = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: gatewayPort, path: '/prod/down', agent: false }, (res) => {
        let received = 0;
        res.once('data', () => {
          res.pause(); // 8 MB cannot fit in the socket buffers: the gateway pauses the backend, for three periods
          setTimeout(() => res.resume(), 1500);
        });
        res.on('data', (c: Buffer) => (received += c.length));
        res.on('end', () => resolve(received));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(length, 128 * 64 * 1024);
    assert.ok(backpressure, 'the backend was held back');
    assert.equal(lastInvocation?.integration?.error, undefined);
  });

  it('a client gone before its response began aborts the backend call (no backend left paused)', async () => {
    let backendClosed!: () => void;
    const closed = new Promise<void>((resolve) => (backendClosed = resolve));
    upstream.behaviour = (_req, res) => {
      res.on('close', backendClosed);
      // Answers after the client has gone, with more than the gateway holds for a response not yet sent.
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const pump = (): void => {
          while (!res.destroyed && res.write(Buffer.alloc(64 * 1024, 0x61)));
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
      }, 300);
    };
    use({ integration: proxy({ integrationUri: `${upstream.origin}/gone`, timeoutInMillis: 500 }), routeKey: 'GET /gone' });
    const req = request({ host: '127.0.0.1', port: gatewayPort, path: '/prod/gone', agent: false });
    req.on('error', () => {});
    req.end();
    setTimeout(() => req.destroy(), 100);
    await closed;
  });

  it('connection refused → 500 with the cause as detail', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    use({ integration: proxy({ integrationUri: `http://127.0.0.1:${port}/x` }), routeKey: 'GET /x' });
    const reply = await call('/prod/x');
    assert.equal(reply.status, 500);
    assert.deepEqual(JSON.parse(reply.body.toString()), { message: 'Internal Server Error' });
    assert.match(decodeURIComponent(String(reply.headers['x-detail'])), /ECONNREFUSED/);
    assert.match(lastInvocation?.integration?.error ?? '', /ECONNREFUSED/);
  });

  it('socket reset before a response → 500', async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/reset` }), routeKey: 'GET /reset' });
    assert.equal((await call('/prod/reset', { headers: { 'x-upstream-reset': '1' } })).status, 500);
  });

  it('reset mid-body ends the client response abruptly; the gateway keeps serving', async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/mid` }), routeKey: 'GET /mid' });
    await assert.rejects(call('/prod/mid', { headers: { 'x-upstream-reset-mid-body': '1' } }));
    assert.equal((await call('/prod/mid')).status, 200);
  });
});

// ---- parameter mapping -----------------------------------------------------------------------------------------

describe('HTTP proxy: parameter mapping', { timeout: 10_000 }, () => {
  it('request mapping: path, query and headers from every source', async () => {
    use({
      integration: proxy({
        integrationUri: `${upstream.origin}/ignored`,
        requestParameters: {
          'overwrite:path': '/v2/$request.path.proxy',
          'append:querystring.from-header': '$request.header.x-q',
          'overwrite:querystring.page': '${request.querystring.p}0',
          'remove:querystring.p': '',
          'overwrite:header.x-user': '$request.body.user.name',
          'append:header.x-custom': '$context.requestId',
          'overwrite:header.x-env': '$stageVariables.env',
          'overwrite:header.x-path': '$request.path',
          'remove:header.x-remove': '',
        },
      }),
      routeKey: 'ANY /parent/{proxy+}',
      pathParameters: { proxy: 'a b/c' },
      stageVariables: { env: 'blue' },
    });
    const echo = (
      await call('/prod/parent/a%20b/c?p=4&keep=1', {
        method: 'POST',
        headers: { 'x-q': 'hq', 'x-custom': 'orig', 'x-remove': 'bye', 'content-type': 'application/json' },
        body: '{"user":{"name":"Ann"}}',
      })
    ).json();
    assert.equal(echo.path, '/v2/a%20b/c');
    assert.equal(echo.query, 'keep=1&page=40&from-header=hq');
    assert.equal(echo.headers['x-user'], 'Ann');
    assert.equal(echo.headers['x-custom'], 'orig,req-1');
    assert.equal(echo.headers['x-env'], 'blue');
    assert.equal(echo.headers['x-path'], '/parent/a%20b/c');
    assert.equal(echo.headers['x-remove'], undefined);
    assert.equal(echo.body, '{"user":{"name":"Ann"}}', 'the body buffered for $request.body is still sent');
  });

  it('response mapping: statuscode, header append/overwrite/remove from $response.header and $response.body', async () => {
    use({
      integration: proxy({
        integrationUri: `${upstream.origin}/resp`,
        responseParameters: {
          '404': {
            'overwrite:statuscode': '200',
            'append:header.x-b': 'more',
            'overwrite:header.x-copy': '$response.header.x-b',
            'overwrite:header.x-name': '$response.body.user.name',
            'remove:header.x-r': '',
          },
        },
      }),
      routeKey: 'GET /resp',
    });
    const json = '{"user":{"name":"Bo"}}';
    const reply = await call('/prod/resp', { headers: { 'x-upstream-status': '404', 'x-upstream-header': 'x-b=bee, x-r=gone', 'x-upstream-json': json } });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['x-b'], 'bee,more');
    assert.equal(reply.headers['x-copy'], 'bee');
    assert.equal(reply.headers['x-name'], 'Bo');
    assert.equal(reply.headers['x-r'], undefined);
    assert.equal(reply.body.toString(), json, 'the body is still streamed whole');
    const other = await call('/prod/resp', { headers: { 'x-upstream-status': '500', 'x-upstream-header': 'x-r=kept' } });
    assert.equal(other.status, 500, 'no plan for 500');
    assert.equal(other.headers['x-r'], 'kept');
  });

  it('response mapping with $response.body on a 3 MB response still streams it all', async () => {
    use({
      integration: proxy({ integrationUri: `${upstream.origin}/big`, responseParameters: { '200': { 'overwrite:header.x-v': '$response.body.v' } } }),
      routeKey: 'GET /big',
    });
    const reply = await call('/prod/big', { headers: { 'x-upstream-large': String(3 * 1024 * 1024) } });
    assert.equal(reply.body.length, 3 * 1024 * 1024);
    assert.equal(reply.headers['x-v'], undefined, 'not JSON: mapping skipped');
  });
});

// ---- pools -----------------------------------------------------------------------------------------------------

describe('HTTP proxy: connection pools', { timeout: 10_000 }, () => {
  it('one dispatcher per origin per integration, and keep-alive connections are reused', async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/ka` }), routeKey: 'GET /ka' });
    const ports = new Set<number>();
    upstream.behaviour = (req, res) => {
      ports.add(req.socket.remotePort ?? 0);
      res.end('ok');
    };
    for (let i = 0; i < 5; i++) assert.equal((await call('/prod/ka')).status, 200);
    assert.deepEqual(factoryCalls, [upstream.origin]);
    assert.equal(ports.size, 1, 'sequential requests share one upstream connection');
  });

  it('tlsConfig.serverNameToVerify reaches the dispatcher factory as the SNI name', async () => {
    use({ integration: proxy({ integrationUri: `${upstream.origin}/sni`, tlsConfig: { serverNameToVerify: 'backend.example' } }), routeKey: 'GET /sni' });
    assert.equal((await call('/prod/sni')).status, 200);
    assert.deepEqual(factoryOptions, [{ servername: 'backend.example' }]);
  });
});
