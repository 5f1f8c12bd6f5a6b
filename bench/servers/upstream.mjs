// Row (a), and the backend of rows (b), (c) and fastify: a minimal node:http server answering a small JSON body.
import { createServer } from 'node:http';
import { listen } from './listening.mjs';

const BODY = Buffer.from(JSON.stringify({ ok: true, service: 'upstream', items: [1, 2, 3] }));
const HEADERS = { 'content-type': 'application/json', 'content-length': String(BODY.length) };

listen(
  createServer((req, res) => {
    req.resume();
    res.writeHead(200, HEADERS);
    res.end(BODY);
  }),
);
