/**
 * Upgrade requests that are not WebSocket handshakes for a WebSocket API (an HTTP API route, the
 * management API) are answered as ordinary requests, as they were before the `upgrade` listener.
 */
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** Serves `req` on the raw `socket` through an ordinary request handler; the socket is closed afterwards. */
export function serveUpgradeAsRequest(req: IncomingMessage, socket: Duplex, handler: (req: IncomingMessage, res: ServerResponse) => void): void {
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  res.on('finish', () => {
    res.detachSocket(socket as Socket);
    socket.end();
  });
  handler(req, res);
}
