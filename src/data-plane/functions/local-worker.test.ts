import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { fixturesDir } from '../../../test/fixtures/lambda/invocation.js';
import type { LocalWorkerData, WorkerMessage } from './local-worker.js';

const baseDir = fixturesDir('functions');
const ENTRY = new URL('./local-worker.js', import.meta.url);

/** Starts the worker entry as local.ts does and returns its `ready` (or `load-error`) message; ends the thread. */
async function firstAnswer(file: string, exportName = 'handler'): Promise<WorkerMessage> {
  const workerData: LocalWorkerData = { file: join(baseDir, file), exportName };
  const worker = new Worker(ENTRY, { workerData });
  try {
    return await new Promise<WorkerMessage>((resolve, reject) => {
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready' || m.type === 'load-error') resolve(m);
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the worker exited (${code}) before answering`)));
    });
  } finally {
    await worker.terminate();
  }
}

describe('local worker: module hooks only for TypeScript', { timeout: 30_000 }, () => {
  // Starting the hooks thread cost every cold worker of a JavaScript handler 50-90 ms (first data-plane 2xx
  // 337 against 541 ms in --function-isolation worker); this pins that such a worker does not start it.
  it('a JavaScript handler loads without the hooks', async () => {
    assert.deepEqual(await firstAnswer('esm-handlers.mjs'), { type: 'ready', hooked: false });
  });

  it('a TypeScript handler, a JavaScript one whose imports are TypeScript, and one with a computed import() load with them', async () => {
    assert.deepEqual(await firstAnswer('typescript/handler.ts'), { type: 'ready', hooked: true });
    assert.deepEqual(await firstAnswer('typescript/plain.mjs'), { type: 'ready', hooked: true });
    assert.deepEqual(await firstAnswer('typescript/computed.mjs'), { type: 'ready', hooked: true });
  });
});
