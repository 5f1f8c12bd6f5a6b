import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';
import { describe, it } from 'node:test';
import { generateSelfSigned } from './self-signed.js';

const NAMES = ['localhost', '*.execute-api.localhost', '127.0.0.1', '::1'];

describe('generateSelfSigned', () => {
  const pair = generateSelfSigned('Gatehouse self-signed', NAMES, 30, new Date('2030-06-01T00:00:00Z'));
  const cert = new X509Certificate(pair.cert);

  it('has a serial OpenSSL parses whatever the random bytes (a leading 0x00 or sign bit made one in 256 unreadable)', () => {
    for (const first of [[0x00, 0x01], [0x00, 0x80], [0x80, 0x00], [0xff, 0xff], [0x7f, 0x00]]) {
      const random = Buffer.alloc(16, 0x11);
      random.set(first);
      const parsed = new X509Certificate(generateSelfSigned('x', NAMES, 1, new Date('2030-06-01T00:00:00Z'), random).cert);
      assert.match(parsed.serialNumber, /^[4-7][0-9A-F]{31}$/, `random ${Buffer.from(first).toString('hex')}…: serial ${parsed.serialNumber}`);
    }
  });

  it('is an X.509 v3 certificate signed by its own key, for the names given', () => {
    assert.equal(cert.subject, 'CN=Gatehouse self-signed');
    assert.equal(cert.issuer, cert.subject);
    assert.ok(cert.verify(cert.publicKey), 'signed by its own key');
    assert.equal(cert.subjectAltName, 'DNS:localhost, DNS:*.execute-api.localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    assert.equal(cert.validFrom, 'May 31 23:00:00 2030 GMT');
    assert.equal(cert.validTo, 'Jul  1 00:00:00 2030 GMT');
    assert.equal(cert.ca, false);
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.equal(cert.checkHost('abc123.execute-api.localhost'), '*.execute-api.localhost');
    assert.equal(cert.checkHost('api.example.com'), undefined);
  });

  it('uses GeneralizedTime after 2049 (RFC 5280 §4.1.2.5)', () => {
    const late = new X509Certificate(generateSelfSigned('late', ['localhost'], 400, new Date('2049-12-01T00:00:00Z')).cert);
    assert.equal(late.validTo, 'Jan  5 00:00:00 2051 GMT');
  });

  it('OpenSSL parses and verifies it as its own trust anchor', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-selfsigned-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const now = generateSelfSigned('Gatehouse self-signed', NAMES, 30);
    writeFileSync(join(dir, 'cert.pem'), now.cert);
    let out: string;
    try {
      out = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'cert.pem'), join(dir, 'cert.pem')], { encoding: 'utf8' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return t.skip('openssl is not installed');
      throw err;
    }
    assert.match(out, /cert\.pem: OK/);
  });

  it('serves TLS to a client that trusts it, by host name and by IP address', async () => {
    const now = generateSelfSigned('Gatehouse self-signed', NAMES, 30);
    const server = createServer({ cert: now.cert, key: now.key }, (socket) => socket.end('hello'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      for (const servername of ['abc123.execute-api.localhost', undefined]) {
        const text = await new Promise<string>((resolve, reject) => {
          const socket = connect({ host: '127.0.0.1', port, ca: now.cert, ...(servername ? { servername } : {}) });
          let got = '';
          socket.on('data', (chunk: Buffer) => (got += chunk.toString()));
          socket.on('end', () => resolve(got));
          socket.on('error', reject);
        });
        assert.equal(text, 'hello');
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
