import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from './config.js';
import { isOriginForm, listenerOptions, MAX_HEADER_SECTION_BYTES } from './http-limits.js';

describe('listenerOptions', () => {
  it('bounds headers at 10 s and a whole request at 30 s by default, checked every second', () => {
    assert.deepEqual(listenerOptions(loadConfig([], {})), {
      headersTimeout: 10_000,
      requestTimeout: 30_000,
      connectionsCheckingInterval: 1000,
      maxHeaderSize: MAX_HEADER_SECTION_BYTES,
      insecureHTTPParser: false,
    });
  });

  it('checks small timeouts often enough to fire within a fifth of themselves', () => {
    assert.equal(listenerOptions({ headersTimeoutMs: 300, requestTimeoutMs: 800 }).connectionsCheckingInterval, 60);
    assert.equal(listenerOptions({ headersTimeoutMs: 20, requestTimeoutMs: 20 }).connectionsCheckingInterval, 10);
  });
});

describe('isOriginForm', () => {
  it('accepts /path targets only', () => {
    assert.equal(isOriginForm('/a?b'), true);
    assert.equal(isOriginForm('//a'), true);
    assert.equal(isOriginForm('http://evil.example/x'), false);
    assert.equal(isOriginForm('*'), false);
    assert.equal(isOriginForm('evil:443'), false);
    assert.equal(isOriginForm(undefined), false);
  });
});
