// Row (b): the Node limit for proxying: node:http in front, one undici Pool to the upstream, responses streamed
// with `pool.stream` (no buffering). Drops hop-by-hop headers both ways, as any correct proxy must; nothing else.
import { createServer } from 'node:http';
import { Pool } from 'undici';
import { listen } from './listening.mjs';

const upstream = process.env.BENCH_UPSTREAM;
if (!upstream) throw new Error('BENCH_UPSTREAM is required');
const pool = new Pool(upstream); // unlimited connections, keep-alive: Gatehouse's HttpProxyPools defaults
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'te', 'trailer', 'trailers', 'transfer-encoding', 'upgrade', 'host', 'expect']);

function forwardable(headers) {
  const out = {};
  for (const name in headers) if (!HOP_BY_HOP.has(name)) out[name] = headers[name];
  return out;
}

listen(
  createServer((req, res) => {
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    pool.stream(
      { path: req.url, method: req.method, headers: forwardable(req.headers), body: hasBody ? req : null },
      ({ statusCode, headers }) => {
        res.writeHead(statusCode, forwardable(headers));
        return res;
      },
      (err) => {
        if (!err) return;
        if (!res.headersSent) {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end('{"message":"Bad Gateway"}');
        } else res.destroy(err);
      },
    );
  }),
);
