import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { makeInvocation } from '../../../test/fixtures/lambda/invocation.js';
import { GatewayError } from '../errors.js';
import { readBody } from './body.js';

/** Starts a server whose handler gets an Invocation over the real request; returns what the client saw. */
async function roundTrip(body: Buffer, limit: number, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const server = createServer((req: IncomingMessage, res) => {
    const inv = { ...makeInvocation(), incoming: req };
    readBody(inv, limit).then(
      (b) => res.end(`read ${b.length} ${inv.body === b}`),
      (e: unknown) => {
        res.statusCode = e instanceof GatewayError ? e.statusCode : 599;
        res.end(e instanceof Error ? e.message : 'error');
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      // Written in pieces so a streamed limit is crossed mid-body.
      for (let i = 0; i < body.length; i += 1024) req.write(body.subarray(i, i + 1024));
      req.end();
    });
  } finally {
    server.close();
  }
}

describe('readBody', () => {
  it('reads the whole body into inv.body', async () => {
    assert.deepEqual(await roundTrip(Buffer.alloc(5000, 'a'), 10_000), { status: 200, text: 'read 5000 true' });
  });

  it('reads an empty body as an empty Buffer', async () => {
    assert.deepEqual(await roundTrip(Buffer.alloc(0), 10), { status: 200, text: 'read 0 true' });
  });

  it('answers 413 from content-length before reading', async () => {
    const res = await roundTrip(Buffer.alloc(2048, 'a'), 1000, { 'content-length': '2048' });
    assert.deepEqual(res, { status: 413, text: 'Request Entity Too Large' });
  });

  it('answers 413 when a chunked body crosses the limit, and the response still arrives', async () => {
    const res = await roundTrip(Buffer.alloc(8192, 'a'), 3000, { 'transfer-encoding': 'chunked' });
    assert.deepEqual(res, { status: 413, text: 'Request Entity Too Large' });
  });

  it('returns inv.body when it was already read', async () => {
    const inv = makeInvocation({ body: 'x' });
    assert.equal((await readBody(inv)).toString(), 'x');
  });

  it('reads a streamed Invocation once', async () => {
    const inv = makeInvocation({ body: 'streamed', stream: true });
    assert.equal(inv.body, undefined);
    const first = await readBody(inv);
    assert.equal(first.toString(), 'streamed');
    assert.equal(await readBody(inv), first);
  });
});
