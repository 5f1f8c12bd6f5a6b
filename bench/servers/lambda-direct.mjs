// Row (d): the limit for the Lambda path: node:http, a payload-2.0-like event (what API Gateway sends, built
// directly from the request), the in-process handler of bench/handler.mjs, its response written back.
// No routing table, no stage, no JSON copy of the event: what is left is the irreducible work.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { handler } from '../handler.mjs';
import { listen } from './listening.mjs';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n) => String(n).padStart(2, '0');
const clfTime = (d) => `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;

function eventOf(req) {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const slash = rawPath.lastIndexOf('/');
  const host = (req.headers.host ?? '').split(':')[0];
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: 'GET /items/{id}',
    rawPath,
    rawQueryString: q === -1 ? '' : url.slice(q + 1),
    headers: req.headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'direct',
      domainName: host,
      domainPrefix: host.split('.')[0],
      http: { method: req.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress, userAgent: req.headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: 'GET /items/{id}',
      stage: '$default',
      time: clfTime(new Date(now)),
      timeEpoch: now,
    },
    pathParameters: { id: rawPath.slice(slash + 1) },
    isBase64Encoded: false,
  };
}

listen(
  createServer((req, res) => {
    req.resume();
    handler(eventOf(req), { awsRequestId: randomUUID() }).then(
      (result) => {
        const body = typeof result.body === 'string' ? result.body : JSON.stringify(result);
        res.writeHead(result.statusCode ?? 200, { ...result.headers, 'content-length': Buffer.byteLength(body) });
        res.end(body);
      },
      () => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"message":"Internal Server Error"}');
      },
    );
  }),
);
