import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { connect } from 'node:tls';
import { before, describe, it } from 'node:test';
import { MAX_CLIENT_HELLO_BYTES, parseClientHello } from './client-hello.js';

/** The bytes a real node:tls client sends first (its ClientHello), with the options given. */
async function clientHello(options: { servername?: string; maxVersion?: 'TLSv1.2' | 'TLSv1.3' }): Promise<Buffer> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    return await new Promise<Buffer>((resolve) => {
      server.once('connection', (socket: Socket) => {
        let got = Buffer.alloc(0);
        socket.on('data', (chunk: Buffer) => {
          got = Buffer.concat([got, chunk]);
          if (parseClientHello(got).kind !== 'incomplete') {
            socket.destroy();
            resolve(got);
          }
        });
      });
      const client = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options });
      client.on('error', () => undefined);
    });
  } finally {
    server.close();
  }
}

/** Re-frames a single-record ClientHello into records of at most `size` bytes of handshake data each. */
function fragment(hello: Buffer, size: number): Buffer {
  const length = hello.readUInt16BE(3);
  const handshake = hello.subarray(5, 5 + length);
  const records: Buffer[] = [];
  for (let at = 0; at < handshake.length; at += size) {
    const part = handshake.subarray(at, at + size);
    const header = Buffer.from([0x16, 0x03, 0x01, 0, 0]);
    header.writeUInt16BE(part.length, 3);
    records.push(header, part);
  }
  return Buffer.concat(records);
}

describe('parseClientHello', () => {
  let named: Buffer;
  let unnamed: Buffer;
  let tls12: Buffer;
  before(async () => {
    named = await clientHello({ servername: 'API.Example.com' });
    unnamed = await clientHello({});
    tls12 = await clientHello({ servername: 'v12.example.com', maxVersion: 'TLSv1.2' });
  });

  it('reads the server name of a real ClientHello, lower-cased', () => {
    assert.deepEqual(parseClientHello(named), { kind: 'complete', serverName: 'api.example.com' });
    assert.deepEqual(parseClientHello(tls12), { kind: 'complete', serverName: 'v12.example.com' });
  });

  it('a ClientHello without server_name (node sends none for an IP address) names no server', () => {
    assert.deepEqual(parseClientHello(unnamed), { kind: 'complete', serverName: undefined });
  });

  it('waits for the whole message, byte by byte', () => {
    for (let n = 0; n < named.length; n++) assert.deepEqual(parseClientHello(named.subarray(0, n)), { kind: 'incomplete' }, `at ${n} bytes`);
  });

  it('joins a ClientHello split across records (RFC 8446 §5.1)', () => {
    const split = fragment(named, 50);
    assert.ok(split.length > named.length + 5 * 4);
    assert.deepEqual(parseClientHello(split), { kind: 'complete', serverName: 'api.example.com' });
    assert.deepEqual(parseClientHello(split.subarray(0, split.length - 1)), { kind: 'incomplete' });
  });

  it('refuses what is not a ClientHello', () => {
    assert.equal(parseClientHello(Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n')).kind, 'invalid');
    assert.equal(parseClientHello(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00])).kind, 'invalid', 'a ServerHello');
    assert.equal(parseClientHello(Buffer.from([0x16, 0x02, 0x00])).kind, 'invalid', 'not a TLS record version');
    const huge = Buffer.from([0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0x01, 0x00, 0x00]);
    assert.ok(0x010000 > MAX_CLIENT_HELLO_BYTES);
    assert.deepEqual(parseClientHello(huge), { kind: 'invalid', reason: 'the ClientHello is too large' });
  });

  it('refuses a truncated extension list rather than reading past it', () => {
    const broken = Buffer.from(named);
    // Claim one more byte of extensions than the message holds.
    const body = 5 + 4;
    let at = body + 2 + 32;
    at += 1 + (broken[at] as number);
    at += 2 + broken.readUInt16BE(at);
    at += 1 + (broken[at] as number);
    broken.writeUInt16BE(broken.readUInt16BE(at) + 1, at);
    assert.deepEqual(parseClientHello(broken), { kind: 'invalid', reason: 'a truncated extension list' });
  });
});
