import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../config.js';

const ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/abc-123';
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-tls-config-'));
const file = (name: string, doc: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(doc));
  return path;
};
const refuses = (argv: string[], env: Record<string, string>, message: string) =>
  assert.throws(() => loadConfig(argv, env), (err: unknown) => err instanceof ConfigError && err.message === message);

describe('loadConfig: the TLS listener', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is off by default', () => {
    assert.equal(loadConfig([], {}).tls, undefined);
  });

  it('--tls-port / GATEHOUSE_TLS_PORT / tlsPort turn it on; file paths are relative to the file', () => {
    const path = file('tls.json', {
      tlsPort: 4443,
      defaultCertificate: { cert: './default.pem', key: '/etc/ssl/default.key' },
      certificates: { [ARN]: { cert: 'certs/site.pem', key: 'certs/site.key' } },
      truststores: { 's3://bucket/clients.pem': './clients.pem' },
    });
    assert.deepEqual(loadConfig(['--config', path], {}).tls, {
      port: 4443,
      defaultCertificate: { cert: join(dir, 'default.pem'), key: '/etc/ssl/default.key' },
      certificates: { [ARN]: { cert: join(dir, 'certs/site.pem'), key: join(dir, 'certs/site.key') } },
      truststores: { 's3://bucket/clients.pem': join(dir, 'clients.pem') },
    });
    assert.equal(loadConfig(['--config', path, '--tls-port', '0'], {}).tls?.port, 0);
    assert.equal(loadConfig(['--config', path], { GATEHOUSE_TLS_PORT: '8443' }).tls?.port, 8443);
    assert.deepEqual(loadConfig(['--tls-port=4443'], {}).tls, { port: 4443, certificates: {}, truststores: {} });
  });

  it('refuses TLS sections without a TLS port, clashing ports and malformed sections', () => {
    const sections = file('no-port.json', { certificates: { [ARN]: { cert: 'a', key: 'b' } } });
    refuses(['--config', sections], {}, `--config / GATEHOUSE_CONFIG (${sections}): certificates serve the TLS listener; set --tls-port / GATEHOUSE_TLS_PORT too`);
    refuses(['--tls-port', '4580'], {}, '--tls-port / GATEHOUSE_TLS_PORT must differ from --port (4580)');
    refuses(['--tls-port', '9000', '--admin-port', '9000'], {}, '--tls-port / GATEHOUSE_TLS_PORT must differ from --admin-port (9000)');
    refuses(['--tls-port', 'https'], {}, '--tls-port / GATEHOUSE_TLS_PORT must be a port number 0-65535, got "https"');
    const where = (name: string) => `--config / GATEHOUSE_CONFIG (${join(dir, name)})`;
    refuses(['--config', file('arn.json', { tlsPort: 1, certificates: { 'site.example.com': { cert: 'a', key: 'b' } } })], {},
      `${where('arn.json')}: "certificates" keys are the certificateArn of domain names (arn:aws:acm:us-east-1:123456789012:certificate/abc-123), got "site.example.com"`);
    refuses(['--config', file('pair.json', { tlsPort: 1, certificates: { [ARN]: './site.pem' } })], {}, `${where('pair.json')}: certificates["${ARN}"] must be {cert: ./site.pem, key: ./site.key}`);
    refuses(['--config', file('extra.json', { tlsPort: 1, defaultCertificate: { cert: 'a', key: 'b', ca: 'c' } })], {}, `${where('extra.json')}: defaultCertificate takes cert and key, not ca`);
    refuses(['--config', file('uri.json', { tlsPort: 1, truststores: { 'https://bucket/x.pem': './x.pem' } })], {},
      `${where('uri.json')}: "truststores" keys are the truststoreUri of domain names (s3://bucket-name/key-name), got "https://bucket/x.pem"`);
    refuses(['--config', file('empty.json', { tlsPort: 1, truststores: { 's3://bucket/x.pem': '' } })], {}, `${where('empty.json')}: truststores["s3://bucket/x.pem"] must be a file path`);
  });
});
