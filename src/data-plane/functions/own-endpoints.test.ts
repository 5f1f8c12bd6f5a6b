import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { loopbackDispatch, loopbackRequest, ownSuffixes, routeOwnEndpoints } from './own-endpoints.js';

const own = { suffixes: ownSuffixes('gw.example.com'), loopback: { host: '127.0.0.1', port: 4580 } };

describe('own endpoints', () => {
  it('names the gateway by its execute-api hosts (localhost always; a public DNS name too, never an IP address)', () => {
    assert.deepEqual(ownSuffixes('localhost'), ['.execute-api.localhost']);
    assert.deepEqual(ownSuffixes('GW.example.com'), ['.execute-api.localhost', '.execute-api.gw.example.com']);
    assert.deepEqual(ownSuffixes('127.0.0.1'), ['.execute-api.localhost']);
  });

  it("sends an HTTPS request to an own name on the default port to the gateway's listener, Host kept", () => {
    const r = loopbackRequest([{ host: 'abc123.execute-api.localhost', method: 'POST', path: '/prod/@connections/x%3D', headers: { 'content-type': 'application/json' } }], own);
    assert.deepEqual(r?.options, { method: 'POST', path: '/prod/@connections/x%3D', headers: { 'content-type': 'application/json', host: 'abc123.execute-api.localhost' }, host: '127.0.0.1', port: 4580 });
    const url = loopbackRequest(['https://abc123.execute-api.gw.example.com/prod/@connections/x?y=1', { headers: { Host: 'abc123.execute-api.gw.example.com' } }], own);
    assert.deepEqual(url?.options, { method: 'GET', path: '/prod/@connections/x?y=1', headers: { Host: 'abc123.execute-api.gw.example.com' }, host: '127.0.0.1', port: 4580 });
  });

  it('leaves every other request alone', () => {
    assert.equal(loopbackRequest([{ host: 'abc123.execute-api.us-east-1.amazonaws.com', path: '/prod' }], own), undefined);
    assert.equal(loopbackRequest([{ host: 'abc123.execute-api.localhost', port: 8443, path: '/prod' }], own), undefined, 'another port');
    assert.equal(loopbackRequest([{ host: 'execute-api.localhost', path: '/' }], own), undefined, 'no API id');
    assert.equal(loopbackRequest([{ host: 'abc123.execute-api.localhost', path: '/' }], { ...own, loopback: undefined }), undefined, 'not listening yet');
  });

  it("sends a fetch (undici's dispatch) to an own name on the default port to the gateway's listener, Host added", () => {
    const options = { origin: 'https://abc123.execute-api.localhost', path: '/prod/@connections/x%3D', method: 'POST' };
    assert.deepEqual(loopbackDispatch({ ...options, headers: { 'content-type': 'text/plain' } }, own), { ...options, origin: 'http://127.0.0.1:4580', headers: { 'content-type': 'text/plain', host: 'abc123.execute-api.localhost' } });
    assert.deepEqual(loopbackDispatch({ ...options, headers: ['x-a', '1'] }, own)?.headers, ['x-a', '1', 'host', 'abc123.execute-api.localhost']);
    assert.deepEqual(loopbackDispatch({ ...options, headers: [['x-a', '1']] }, own)?.headers, [['x-a', '1'], ['host', 'abc123.execute-api.localhost']]);
    assert.deepEqual(loopbackDispatch({ ...options, headers: { Host: 'kept' } }, own)?.headers, { Host: 'kept' });
    assert.deepEqual(loopbackDispatch({ ...options, origin: new URL('https://abc123.execute-api.gw.example.com') }, own)?.headers, { host: 'abc123.execute-api.gw.example.com' });
    assert.equal(loopbackDispatch({ ...options, origin: 'https://abc123.execute-api.us-east-1.amazonaws.com' }, own), undefined);
    assert.equal(loopbackDispatch({ ...options, origin: 'https://abc123.execute-api.localhost:8443' }, own), undefined, 'another port');
    assert.equal(loopbackDispatch({ ...options, origin: 'http://abc123.execute-api.localhost' }, own), undefined, 'plain HTTP');
    assert.equal(loopbackDispatch(options, { ...own, loopback: undefined }), undefined, 'not listening yet');
  });

  it('routes a real fetch to an own name while installed, and no more once released', async () => {
    const seen: { host?: string; url?: string; method?: string; body: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ host: req.headers.host, url: req.url, method: req.method, body });
        res.end('delivered');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const release = routeOwnEndpoints(() => ({ suffixes: ownSuffixes('localhost'), loopback: { host: '127.0.0.1', port } }));
    try {
      const r = await fetch('https://abc123.execute-api.localhost/production/@connections/x%3D', { method: 'POST', body: 'hi' });
      assert.equal(await r.text(), 'delivered');
      const other = await fetch(`http://127.0.0.1:${port}/plain`);
      assert.equal(await other.text(), 'delivered');
      assert.deepEqual(seen, [
        { host: 'abc123.execute-api.localhost', url: '/production/@connections/x%3D', method: 'POST', body: 'hi' },
        { host: `127.0.0.1:${port}`, url: '/plain', method: 'GET', body: '' },
      ]);
    } finally {
      release();
    }
    await assert.rejects(fetch('https://abc123.execute-api.localhost/production/@connections/x%3D', { method: 'POST', body: 'again' }), TypeError);
    assert.equal(seen.length, 2);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
