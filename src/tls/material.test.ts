import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../config.js';
import type { Logger } from '../logger.js';
import type { TlsConfig } from './config.js';
import { TlsMaterial } from './material.js';
import { generateSelfSigned } from './self-signed.js';

const ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/site';
const URI = 's3://bucket/clients.pem';
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-tls-material-'));
const write = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const pair = (name: string, host: string) => {
  const { cert, key } = generateSelfSigned(host, [host], 10);
  return { cert: write(`${name}.pem`, cert), key: write(`${name}.key`, key) };
};
const errors: string[] = [];
const logger: Logger = { info: () => undefined, warn: () => undefined, error: (message) => void errors.push(message) };
const open = (tls: Partial<TlsConfig>, dataDir = dir) =>
  new TlsMaterial({ tls: { port: 0, certificates: {}, truststores: {}, ...tls }, dataDir, publicUrl: undefined, logger, reloadIntervalMs: 20 });

describe('TlsMaterial', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing file, a key that does not match, or a truststore without certificates stop start-up, naming them', () => {
    const site = pair('site', 'site.test');
    const other = pair('other', 'other.test');
    const missing = join(dir, 'missing.pem');
    assert.throws(() => open({ certificates: { [ARN]: { cert: missing, key: site.key } } }), (err: unknown) =>
      err instanceof ConfigError && err.message.startsWith(`certificates["${ARN}"]: cannot read ${missing}: ENOENT`));
    assert.throws(() => open({ defaultCertificate: { cert: site.cert, key: other.key } }), (err: unknown) =>
      err instanceof ConfigError && err.message.startsWith(`defaultCertificate: ${site.cert} and ${other.key} are not a certificate and its key:`));
    const empty = write('empty.pem', 'no certificates here\n');
    assert.throws(() => open({ truststores: { [URI]: empty } }), (err: unknown) => err instanceof ConfigError && err.message === `truststores["${URI}"]: ${empty} holds no PEM certificate`);
  });

  it('without a defaultCertificate, generates a self-signed one in the data dir and reuses it', () => {
    const dataDir = mkdtempSync(join(dir, 'data-'));
    const first = open({}, dataDir);
    first.close();
    const cert = new X509Certificate(first.defaultCertificate().cert);
    assert.equal(cert.subject, 'CN=Gatehouse self-signed');
    assert.equal(cert.checkHost('abc.execute-api.localhost'), '*.execute-api.localhost');
    assert.equal(readFileSync(join(dataDir, 'tls', 'self-signed.pem'), 'utf8'), first.defaultCertificate().cert);
    const second = open({}, dataDir);
    second.close();
    assert.equal(second.defaultCertificate().cert, first.defaultCertificate().cert, 'reused across restarts');
  });

  it('reloads a changed pair and truststore, bumping the generation; a broken change keeps the previous material', async () => {
    const site = pair('reload', 'reload.test');
    const store = write('store.pem', generateSelfSigned('ca one', ['ca.test'], 10).cert);
    const material = open({ certificates: { [ARN]: site }, truststores: { [URI]: store } });
    try {
      let changes = 0;
      material.onChange(() => changes++);
      const next = generateSelfSigned('reload.test', ['reload.test'], 10);
      writeFileSync(site.key, next.key);
      writeFileSync(site.cert, next.cert);
      for (let i = 0; i < 500 && material.certificate(ARN)?.cert !== next.cert; i++) await sleep(20);
      assert.equal(material.certificate(ARN)?.cert, next.cert);
      assert.ok(material.generation >= 1 && changes >= 1);

      assert.deepEqual(errors, [], 'a pair seen between its two writes is looked at again before anything is logged');

      const generation = material.generation;
      writeFileSync(site.cert, generateSelfSigned('stray', ['stray.test'], 10).cert);
      for (let i = 0; i < 500 && errors.length === 0; i++) await sleep(20);
      assert.deepEqual(errors, ['tls: a changed file does not load; the previous one stays in service']);
      assert.equal(material.certificate(ARN)?.cert, next.cert, 'a certificate without its key is not served');
      assert.equal(material.generation, generation);

      const bundle = `${generateSelfSigned('ca two', ['ca.test'], 10).cert}${generateSelfSigned('ca three', ['ca.test'], 10).cert}`;
      writeFileSync(store, bundle);
      for (let i = 0; i < 500 && material.truststore(URI)?.certificates !== 2; i++) await sleep(20);
      assert.equal(material.truststore(URI)?.certificates, 2);
    } finally {
      material.close();
    }
  });
});
