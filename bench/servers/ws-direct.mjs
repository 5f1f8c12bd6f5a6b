// Row (w0): the limit for the WebSocket Lambda path: a bare `ws` server that, for each text message, builds
// a WebSocket Lambda proxy event of the shape Gatehouse builds (src/data-plane/integrations/websocket-events.ts,
// MESSAGE event), calls the handler of bench/ws-handler.mjs in process and sends its `body` back.
// No route selection, no stage, no access log: what is left is the irreducible work.
// BENCH_COALESCE=1 (row (w0c)): frames sent to one connection in one turn of the event loop leave in one write
// (socket corked until the turn's ticks have run), as Gatehouse sends them (src/websocket/connection.ts sendFrame).
import { randomBytes, randomFillSync } from 'node:crypto';
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { handler } from '../ws-handler.mjs';
import { listen } from './listening.mjs';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n) => String(n).padStart(2, '0');
const clfTime = (d) => `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;

// Ids shaped like AWS's (11 random bytes, URL-safe base64 and the = pad), from a pre-filled pool as Gatehouse draws them.
const pool = Buffer.alloc(11 * 1024);
let next = 1024;
const newId = () => {
  if (next === 1024) {
    randomFillSync(pool);
    next = 0;
  }
  const start = next++ * 11;
  return `${pool.toString('base64url', start, start + 11)}=`;
};

const coalesce = process.env.BENCH_COALESCE === '1';
const uncork = (socket) => socket.uncork();
function send(ws, socket, data) {
  if (coalesce && socket.writableCorked === 0) {
    socket.cork();
    process.nextTick(uncork, socket);
  }
  ws.send(data);
}

const server = createServer((_req, res) => {
  res.writeHead(426);
  res.end();
});
const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: false, maxPayload: 128 * 1024 });
wss.on('connection', (ws, req) => {
  const info = {
    connectionId: `${randomBytes(11).toString('base64url')}=`,
    connectedAt: Date.now(),
    sourceIp: req.socket.remoteAddress,
    userAgent: req.headers['user-agent'] ?? '',
    domainName: (req.headers.host ?? '').split(':')[0],
  };
  ws.on('message', (data, isBinary) => {
    if (isBinary) return ws.close(1003);
    const now = Date.now();
    const requestId = newId();
    const event = {
      requestContext: {
        routeKey: '$default',
        messageId: newId(),
        eventType: 'MESSAGE',
        extendedRequestId: requestId,
        requestTime: clfTime(new Date(now)),
        messageDirection: 'IN',
        stage: 'bench',
        connectedAt: info.connectedAt,
        requestTimeEpoch: now,
        identity: { sourceIp: info.sourceIp, userAgent: info.userAgent },
        requestId,
        domainName: info.domainName,
        connectionId: info.connectionId,
        apiId: 'direct',
      },
      body: data.toString('utf8'),
      isBase64Encoded: false,
    };
    handler(event, { awsRequestId: requestId }).then(
      (result) => {
        if (ws.readyState === ws.OPEN) send(ws, req.socket, typeof result?.body === 'string' ? result.body : JSON.stringify(result));
      },
      () => {
        if (ws.readyState === ws.OPEN) send(ws, req.socket, JSON.stringify({ message: 'Internal server error', connectionId: info.connectionId, requestId }));
      },
    );
  });
});
listen(server);
// Upgraded sockets keep server.close() waiting: on a stop signal, exit at once.
process.prependListener('SIGTERM', () => process.exit(0));
