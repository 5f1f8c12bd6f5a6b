import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadIssuerKey, loadOrCreateIssuerKey } from './keys.js';

describe('issuer keys', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-keys-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('concurrent creators (other processes, the CLI) end up with one key and no temporary files', async () => {
    const keys = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateIssuerKey(dataDir, 'shared')));
    for (const k of keys) assert.deepEqual(k.publicJwk, keys[0]!.publicJwk);
    assert.deepEqual(await readdir(join(dataDir, 'oidc')), ['shared.json']);
  });

  it('the key id is the RFC 7638 thumbprint and survives a reload', async () => {
    const first = await loadOrCreateIssuerKey(dataDir, 'thumb');
    assert.match(first.kid, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual((await loadOrCreateIssuerKey(dataDir, 'thumb')).publicJwk, first.publicJwk);
  });

  it('loadIssuerKey reads an existing issuer and never creates one', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'gatehouse-keys-'));
    try {
      assert.equal(await loadIssuerKey(fresh, 'nobody'), undefined);
      assert.deepEqual(await readdir(fresh), [], 'not even the oidc directory');
      const created = await loadOrCreateIssuerKey(fresh, 'made');
      assert.deepEqual((await loadIssuerKey(fresh, 'made'))?.publicJwk, created.publicJwk);
      await assert.rejects(loadIssuerKey(fresh, '../made'), /Invalid issuer name/);
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });

  it('refuses names that are not one path segment', async () => {
    await assert.rejects(loadOrCreateIssuerKey(dataDir, '../x'), /Invalid issuer name/);
    await assert.rejects(loadOrCreateIssuerKey(dataDir, ''), /Invalid issuer name/);
  });
});
