import assert from 'node:assert/strict';
import { Agent, createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { makeInvocation } from '../../../test/fixtures/lambda/invocation.js';
import { GatewayError } from '../errors.js';
import { endEmptyBody, readBody, readEmptyBody } from './body.js';

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

/** What happened to one request's stream on a server that reads empty bodies as the data plane does (pipeline.ts). */
interface Seen {
  readonly method: string;
  resumes: number;
  ended: boolean;
  closed: boolean;
}

/**
 * Sends `requests` over one keep-alive connection to a server that calls `readEmptyBody` on arrival and `endEmptyBody`
 * after answering (or `resume()` for a request not yet complete), as the data plane's pipeline does.
 */
async function emptyBodyServer(requests: readonly { method: string; body?: string }[]): Promise<{ seen: Seen[]; answers: string[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const entry: Seen = { method: req.method ?? '', resumes: 0, ended: false, closed: false };
    seen.push(entry);
    const resume = req.resume.bind(req);
    // Node's dump of an unread request calls resume() (IncomingMessage._dump): counted, not changed.
    req.resume = () => {
      entry.resumes++;
      return resume();
    };
    req.on('end', () => (entry.ended = true));
    req.on('close', () => (entry.closed = true));
    readEmptyBody(req);
    setImmediate(() => {
      res.end(`answered ${req.method ?? ''}`);
      if (!req.complete) req.resume();
      else endEmptyBody(req);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const { port } = server.address() as AddressInfo;
    const answers: string[] = [];
    for (const { method, body } of requests) {
      answers.push(
        await new Promise<string>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, method, path: '/', agent }, (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c));
            res.on('end', () => resolve(text));
          });
          req.on('error', reject);
          req.end(body);
        }),
      );
    }
    // The last request's stream ends after its response was sent.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { seen, answers };
  } finally {
    agent.destroy();
    server.close();
  }
}

describe('readEmptyBody and endEmptyBody', () => {
  it('end a body-less request in its own tick: Node does not dump it (no resume), and it still ends and closes', async () => {
    const { seen, answers } = await emptyBodyServer([{ method: 'GET' }, { method: 'DELETE' }, { method: 'GET' }]);
    assert.deepEqual(answers, ['answered GET', 'answered DELETE', 'answered GET']);
    assert.deepEqual(seen, [
      { method: 'GET', resumes: 0, ended: true, closed: true },
      { method: 'DELETE', resumes: 0, ended: true, closed: true },
      { method: 'GET', resumes: 0, ended: true, closed: true },
    ]);
  });

  it('leave a body nobody read to Node, which discards it; the connection serves the next request', async () => {
    const { seen, answers } = await emptyBodyServer([{ method: 'POST', body: 'unread body' }, { method: 'GET' }]);
    assert.deepEqual(answers, ['answered POST', 'answered GET']);
    assert.deepEqual(seen, [
      { method: 'POST', resumes: 1, ended: true, closed: true },
      { method: 'GET', resumes: 0, ended: true, closed: true },
    ]);
  });

  it('leave a request whose body is read to its reader: readEmptyBody does not touch a request that declares a body', async () => {
    const server = createServer((req, res) => {
      readEmptyBody(req);
      const inv = { ...makeInvocation(), incoming: req };
      readBody(inv).then(
        (b) => res.end(`read ${b.toString()}`),
        (e: unknown) => res.end(String(e)),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const text = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-length': '5' } }, (res) => {
          let t = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (t += c));
          res.on('end', () => resolve(t));
        });
        req.on('error', reject);
        req.end('hello');
      });
      assert.equal(text, 'read hello');
    } finally {
      server.close();
    }
  });
});
