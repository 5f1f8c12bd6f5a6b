import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { clientCertificateOf, formatSerialNumber } from './client-cert.js';
import { generateSelfSigned } from './self-signed.js';

describe('formatSerialNumber', () => {
  it('small serials are decimal, as in the event aws-lambda-go recorded ("1")', () => {
    assert.equal(formatSerialNumber('01'), '1');
    assert.equal(formatSerialNumber('1092'), '4242');
    assert.equal(formatSerialNumber('7FFFFFFFFFFFFFFF'), '9223372036854775807');
  });

  it('serials past a signed 64-bit integer are colon-separated lower-case hex bytes, as in the developer guide ("a1:a1:...")', () => {
    assert.equal(formatSerialNumber('A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1'), 'a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1');
    assert.equal(formatSerialNumber('8000000000000000'), '80:00:00:00:00:00:00:00');
    assert.equal(formatSerialNumber('0100000000000000000A'), '01:00:00:00:00:00:00:00:00:0a');
  });
});

describe('clientCertificateOf', () => {
  it('reports the PEM, the DNs in certificate order, the serial and OpenSSL-style validity dates', () => {
    const pem = generateSelfSigned('client one', ['client.example.com'], 10, new Date('2031-02-03T04:05:06Z')).cert;
    const cert = new X509Certificate(pem);
    const got = clientCertificateOf(cert);
    assert.equal(got.clientCertPem, pem);
    assert.equal(got.subjectDN, 'CN=client one');
    assert.equal(got.issuerDN, 'CN=client one');
    assert.equal(got.serialNumber, formatSerialNumber(cert.serialNumber));
    assert.deepEqual(got.validity, { notBefore: 'Feb  3 03:05:06 2031 GMT', notAfter: 'Feb 13 04:05:06 2031 GMT' });
  });
});
