import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loopbackRequest, ownSuffixes } from './own-endpoints.js';

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
});
