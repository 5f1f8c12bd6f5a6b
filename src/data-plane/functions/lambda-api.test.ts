import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { signedRequestOf, verifyRequest } from '../../auth/sigv4.js';
import type { LambdaFunctionRef } from '../../model/lambda-arn.js';
import { FunctionInvokeError, FunctionNotFoundError, FunctionTimeoutError } from './invoker.js';
import { createLambdaApiInvoker, invokeUrl, type LambdaApiInvokeResult } from './lambda-api.js';

/** Ceiling for calls expected to succeed (never waited for); the timeout meant to fire is 80 ms. */
const OK_MS = 2000;

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

const ref = (functionName: string, qualifier?: string, region = 'eu-west-1'): LambdaFunctionRef => ({
  region,
  accountId: '123456789012',
  functionName,
  ...(qualifier ? { qualifier } : {}),
  functionArn: `arn:aws:lambda:${region}:123456789012:function:${functionName}${qualifier ? `:${qualifier}` : ''}`,
});

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  port: number;
}

/** A fake Lambda Invoke API: checks the request like AWS would (path, headers, SigV4), then answers per function name. */
function fakeLambda(seen: Seen[]): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: body.toString(), port: req.socket.remotePort ?? 0 });
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': 'lambda-req-1', ...headers });
        res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
      };
      const m = /^\/2015-03-31\/functions\/([^/?]+)\/invocations(?:\?Qualifier=([^&]+))?$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !m) return send(404, { message: 'UnknownOperationException' }, { 'x-amzn-errortype': 'UnknownOperationException' });
      if (req.headers['x-amz-invocation-type'] !== 'RequestResponse') return send(400, { message: 'bad invocation type' });
      const verdict = verifyRequest(signedRequestOf(req, body), {
        service: 'lambda',
        region: 'eu-west-1',
        lookup: (id) => (id === CREDENTIALS.accessKeyId ? CREDENTIALS.secretAccessKey : undefined),
      });
      if (!verdict.ok) return send(403, { message: verdict.message }, { 'x-amzn-errortype': `${verdict.code}Exception` });
      const [, name, qualifier] = m;
      switch (name) {
        case 'pets':
          return send(200, { event: JSON.parse(body.toString()) as unknown, qualifier: qualifier ?? null });
        case 'fails':
          return send(200, { errorType: 'Error', errorMessage: 'boom', trace: [] }, { 'x-amz-function-error': 'Unhandled' });
        case 'missing':
          return send(404, { Type: 'User', message: 'Function not found: arn:aws:lambda:eu-west-1:123456789012:function:missing' }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
        case 'throttled':
          return send(429, { Type: 'User', message: 'Rate Exceeded.' }, { 'x-amzn-errortype': 'TooManyRequestsException' });
        case 'slow':
          setTimeout(() => send(200, '"late"'), 400).unref();
          return;
        default:
          return send(500, 'oops');
      }
    });
  });
}

describe('Lambda API invoker', () => {
  const seen: Seen[] = [];
  const server = fakeLambda(seen);
  let endpoint = '';
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  const invoker = () => createLambdaApiInvoker({ endpoint, credentials: CREDENTIALS });

  it('POSTs the event to the Invoke API, signed for lambda, and returns the payload', async () => {
    const inv = invoker();
    try {
      const r = (await inv.invoke(ref('pets'), { hello: 'world' }, { timeoutMs: OK_MS, requestId: 'gw' })) as LambdaApiInvokeResult;
      assert.deepEqual(JSON.parse(r.payload.toString()), { event: { hello: 'world' }, qualifier: null });
      assert.equal(r.functionError, undefined);
      assert.equal(r.requestId, 'lambda-req-1');
      const req = seen.at(-1);
      assert.ok(req);
      assert.equal(req.method, 'POST');
      assert.equal(req.url, '/2015-03-31/functions/pets/invocations');
      assert.equal(req.headers['x-amz-invocation-type'], 'RequestResponse');
      assert.equal(req.headers['content-type'], 'application/json');
      assert.match(req.headers.authorization ?? '', /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/lambda\/aws4_request, SignedHeaders=[^,]*x-amz-invocation-type/);
    } finally {
      await inv.close();
    }
  });

  it('passes the qualifier as ?Qualifier= and the session token', async () => {
    const inv = createLambdaApiInvoker({ endpoint, credentials: { ...CREDENTIALS, sessionToken: 'token-1' } });
    try {
      const r = await inv.invoke(ref('pets', 'live'), {}, { timeoutMs: OK_MS, requestId: 'gw' });
      assert.equal((JSON.parse(r.payload.toString()) as { qualifier: string }).qualifier, 'live');
      assert.equal(seen.at(-1)?.url, '/2015-03-31/functions/pets/invocations?Qualifier=live');
      assert.equal(seen.at(-1)?.headers['x-amz-security-token'], 'token-1');
    } finally {
      await inv.close();
    }
  });

  it('reuses one keep-alive connection per endpoint', async () => {
    const inv = invoker();
    try {
      const ports = new Set<number | undefined>();
      for (let i = 0; i < 5; i++) {
        await inv.invoke(ref('pets'), i, { timeoutMs: OK_MS, requestId: 'gw' });
        ports.add(seen.at(-1)?.port);
        // Let the pool see the connection free again before the next call.
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.equal(ports.size, 1);
    } finally {
      await inv.close();
    }
  });

  it('reports X-Amz-Function-Error as functionError with the error payload', async () => {
    const inv = invoker();
    try {
      const r = await inv.invoke(ref('fails'), {}, { timeoutMs: OK_MS, requestId: 'gw' });
      assert.equal(r.functionError, 'Unhandled');
      assert.equal((JSON.parse(r.payload.toString()) as { errorMessage: string }).errorMessage, 'boom');
    } finally {
      await inv.close();
    }
  });

  it('404 ResourceNotFoundException is FunctionNotFoundError', async () => {
    const inv = invoker();
    try {
      await assert.rejects(inv.invoke(ref('missing'), {}, { timeoutMs: OK_MS, requestId: 'gw' }), (e: unknown) => e instanceof FunctionNotFoundError && /ResourceNotFoundException: Function not found/.test(e.message));
    } finally {
      await inv.close();
    }
  });

  it('other error answers are FunctionInvokeError', async () => {
    const inv = invoker();
    try {
      await assert.rejects(inv.invoke(ref('throttled'), {}, { timeoutMs: OK_MS, requestId: 'gw' }), (e: unknown) => e instanceof FunctionInvokeError && /429 TooManyRequestsException: Rate Exceeded/.test(e.message));
      await assert.rejects(inv.invoke(ref('other'), {}, { timeoutMs: OK_MS, requestId: 'gw' }), (e: unknown) => e instanceof FunctionInvokeError && /500/.test(e.message));
    } finally {
      await inv.close();
    }
  });

  it('a bad signature (wrong secret) is refused by the endpoint: FunctionInvokeError', async () => {
    const inv = createLambdaApiInvoker({ endpoint, credentials: { ...CREDENTIALS, secretAccessKey: 'wrong' } });
    try {
      await assert.rejects(inv.invoke(ref('pets'), {}, { timeoutMs: OK_MS, requestId: 'gw' }), (e: unknown) => e instanceof FunctionInvokeError && /403 InvalidSignatureException/.test(e.message));
    } finally {
      await inv.close();
    }
  });

  it('signs for the configured region rather than the ARN region when given', async () => {
    const inv = createLambdaApiInvoker({ endpoint, credentials: CREDENTIALS, region: 'eu-west-1' });
    try {
      const r = await inv.invoke(ref('pets', undefined, 'us-east-2'), {}, { timeoutMs: OK_MS, requestId: 'gw' });
      assert.equal(r.functionError, undefined);
    } finally {
      await inv.close();
    }
  });

  it('a slow function is FunctionTimeoutError after timeoutMs', async () => {
    const inv = invoker();
    try {
      // The fake answers 200 after 400 ms: only the timeout can make this reject.
      await assert.rejects(inv.invoke(ref('slow'), {}, { timeoutMs: 80, requestId: 'gw' }), FunctionTimeoutError);
    } finally {
      await inv.close();
    }
  });

  it('an unreachable endpoint is FunctionInvokeError', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const inv = createLambdaApiInvoker({ endpoint: `http://127.0.0.1:${port}`, credentials: CREDENTIALS });
    try {
      await assert.rejects(inv.invoke(ref('pets'), {}, { timeoutMs: OK_MS, requestId: 'gw' }), (e: unknown) => e instanceof FunctionInvokeError && e.cause !== undefined);
    } finally {
      await inv.close();
    }
  });
});

describe('invokeUrl', () => {
  it('builds the Invoke path with the bare function name and the qualifier', () => {
    assert.equal(invokeUrl('https://lambda.eu-west-1.amazonaws.com', ref('pets')).href, 'https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/pets/invocations');
    assert.equal(invokeUrl('http://localhost:4566/', ref('pets', '$LATEST')).href, 'http://localhost:4566/2015-03-31/functions/pets/invocations?Qualifier=%24LATEST');
  });
});
