import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { sendFrame } from './connection.js';
import type { Connection } from './state.js';

/** A real `ws` connection: the server side's WebSocket and socket, and the client. */
async function pair(): Promise<{ server: WebSocket; socket: Socket; client: WebSocket; close: () => Promise<void> }> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<[WebSocket, IncomingMessage]>((resolve) => wss.once('connection', (ws, req) => resolve([ws, req])));
  const client = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/`);
  const [server, req] = await accepted;
  await new Promise((resolve) => (client.readyState === WebSocket.OPEN ? resolve(undefined) : client.once('open', resolve)));
  const close = async () => {
    client.terminate();
    wss.close();
    await new Promise((resolve) => http.close(resolve));
  };
  return { server, socket: req.socket, client, close };
}

describe('sendFrame', () => {
  it('sends the frames of one event-loop turn to a connection in one write, in order, and the next turn in another', async () => {
    const { server, socket, client, close } = await pair();
    try {
      // Count what reaches the socket's underlying write: a frame is a header and a payload (one
      // writev of two buffers when sent alone).
      const writes: number[] = [];
      const writev = socket._writev!.bind(socket);
      const write = socket._write.bind(socket);
      socket._writev = (chunks, cb) => (writes.push(chunks.length), writev(chunks, cb));
      socket._write = (chunk, encoding, cb) => (writes.push(1), write(chunk, encoding, cb));
      const conn = { ws: server, incoming: { socket } as IncomingMessage, lastActiveAt: 0 } as unknown as Connection;
      const received: string[] = [];
      const all = new Promise<void>((resolve) =>
        client.on('message', (data: Buffer) => {
          received.push(data.toString());
          if (received.length === 7) resolve();
        }),
      );
      for (let i = 0; i < 5; i++) assert.equal(sendFrame(conn, `frame ${i}`, false), true);
      assert.deepEqual(writes, [], 'nothing is written before the turn ends');
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(writes, [10], 'five frames (header and payload each) in one writev');
      sendFrame(conn, Buffer.from([0xff, 0x00]), true);
      sendFrame(conn, 'last', false);
      await all;
      assert.deepEqual(writes, [10, 4]);
      assert.deepEqual(received, ['frame 0', 'frame 1', 'frame 2', 'frame 3', 'frame 4', '\ufffd\u0000', 'last']);
      assert.ok(conn.lastActiveAt > 0, 'a send marks the connection active');
    } finally {
      await close();
    }
  });

  it('sends nothing on a connection that is no longer open', async () => {
    const { server, socket, client, close } = await pair();
    try {
      const conn = { ws: server, incoming: { socket } as IncomingMessage, lastActiveAt: 0 } as unknown as Connection;
      server.close();
      assert.equal(sendFrame(conn, 'too late', false), false, 'a closing connection takes no frame (@connections answers 410)');
      assert.equal(conn.lastActiveAt, 0);
      assert.equal(socket.writableCorked, 0);
      await new Promise((resolve) => client.once('close', resolve));
    } finally {
      await close();
    }
  });
});
